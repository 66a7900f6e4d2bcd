"""The parse stage: raw bytes of one document → ParsedArticle (body text and metadata, no NLP).

Plain text keeps the file's characters exactly (only a leading `date YYYY-MM-DD` header is taken
off and becomes `published`). HTML goes through trafilatura for the body and tasks.metadata for the
rest, both over one lxml tree. Anything that is not a readable article raises ParseError: every
failure of the libraries below is translated in `parse_bytes`, the one entry point.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
from email.message import Message
from pathlib import Path

import trafilatura
from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from schemas.errors import ParseError
from schemas.records import Document, ParsedArticle
from tasks.metadata import extract_metadata, normalise_date, person_names
from tasks.versions import PARSER_VERSION

__all__ = [
    "MAX_PARSE_BYTES",
    "PARSER_VERSION",
    "bracketed_captions",
    "looks_like_markup",
    "parse_bytes",
    "parse_document",
    "parse_path",
]

# Bytes of HTML handed to lxml/trafilatura. Real articles are far smaller (AEB mean: 170 kB);
# the cap keeps one odd page from taking unbounded time and memory.
MAX_PARSE_BYTES = 5_000_000
# How much a gzip file may expand to when read by parse_path (guards against decompression bombs).
_MAX_FILE_BYTES = 50_000_000

_SEED_HEADER = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})(?=\s|$)\s*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_TYPE_PREFIXES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
)
_MARKUP_HINTS = (
    "<!doctype html",
    "<html",
    "<head",
    "<body",
    "<meta",
    "<title",
    "<div",
    "<p>",
    "<article",
)
# C0 controls other than whitespace and ESC, and DEL: text has few; binary data has many.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.02
_HEADLINE_MAX_WORDS = 20
# A fast extraction shorter than this is retried with trafilatura's fallback extractors.
_RESCUE_BELOW_CHARS = 500


# Entry points ---------------------------------------------------------------------------------


def parse_bytes(
    content: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    published: str | None = None,
    title: str | None = None,
    source: str | None = None,
    filename: str | None = None,
) -> ParsedArticle:
    """Read one document into a ParsedArticle, or raise ParseError.

    `published` and `title` are hints (from a feed entry), used only when the page has none.
    """
    if not content or not content.strip():
        raise ParseError("empty document", url=url)
    media_type = _media_type(content_type)
    if media_type.startswith(_BINARY_TYPE_PREFIXES):
        raise ParseError(f"not a text document ({media_type})", url=url)
    try:
        if _is_json(media_type, filename):
            return _parse_json(content, content_type, url, published, title, source)
        if _is_plain_text(content, media_type, filename):
            return _parse_plain_text(content, content_type, url, published, title, source)
        return _parse_html(content, content_type, url, published, title, source)
    except ParseError:
        raise
    except Exception as error:  # the one point where library failures become ParseError
        raise ParseError(
            f"cannot parse document: {type(error).__name__}: {error}", url=url
        ) from error


def parse_document(doc: Document) -> ParsedArticle:
    """Parse a fetched document; its feed entry's title and date are hints."""
    return parse_bytes(
        doc.content,
        url=doc.final_url,
        content_type=doc.content_type,
        published=doc.entry_published,
        title=doc.entry_title,
        source=doc.source,
    )


def parse_path(
    path: Path, *, url: str | None = None, published: str | None = None
) -> ParsedArticle:
    """Parse a local file (.txt as plain text, .html, and either gzipped as .gz).

    Without `url` the article's url is the file's `file://` URI, so each file keeps a stable id.
    """
    path = Path(path)
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    article_url = url or path.resolve().as_uri()
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                content = handle.read(_MAX_FILE_BYTES)
        else:
            content = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ParseError(f"cannot read {path}: {error}", url=article_url) from error
    return parse_bytes(content, url=article_url, published=published, filename=name)


# Deciding what the bytes are ------------------------------------------------------------------


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    header = Message()
    header["content-type"] = content_type
    return header.get_content_charset()


def looks_like_markup(head: str) -> bool:
    """True when the start of a document reads as HTML rather than prose."""
    start = head[:2048].lstrip().lower()
    return start.startswith("<") and any(hint in start for hint in _MARKUP_HINTS)


def _is_json(media_type: str, filename: str | None) -> bool:
    if media_type == "application/json" or media_type.endswith("+json"):
        return True
    return not media_type and (filename or "").lower().endswith(".json")


def _is_plain_text(content: bytes, media_type: str, filename: str | None) -> bool:
    if media_type in _HTML_TYPES:
        return False
    if media_type == "text/plain":
        return True
    name = (filename or "").lower()
    if name.endswith(".txt"):
        return True
    if name.endswith((".html", ".htm", ".xhtml")):
        return False
    bom_encoding, bom_length = _bom(content)
    head = content[bom_length:4096].decode(bom_encoding or "utf-8", errors="ignore")
    return not looks_like_markup(head)


# Decoding -------------------------------------------------------------------------------------


def _decode(content: bytes, declared: tuple[str | None, ...], url: str | None) -> str:
    """Decode by BOM, then strict UTF-8, then the declared charsets, then charset-normalizer.

    UTF-8 is tried before the declared charsets because servers and templates often declare
    ISO-8859-1 for pages that are really UTF-8; non-ASCII text in a single-byte charset is
    practically never valid UTF-8, so this order avoids mojibake without harming real Latin-1.
    """
    bom_encoding, bom_length = _bom(content)
    if bom_encoding:
        return content[bom_length:].decode(bom_encoding, errors="replace")
    decoded = _try_decode(content, "utf-8")
    if decoded is not None and "\x00" not in decoded:
        return decoded
    for charset in declared:
        decoded = _try_decode(content, charset)
        if decoded is not None:
            return decoded
    best = from_bytes(content[:MAX_PARSE_BYTES]).best()
    if best is None:
        raise ParseError("binary or undecodable content", url=url)
    return str(best)


def _bom(content: bytes) -> tuple[str | None, int]:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if content.startswith(bom):
            return encoding, len(bom)
    return None, 0


def _try_decode(content: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        decoder = codecs.getincrementaldecoder(charset)(errors="strict")
        # final=False: a document cut at MAX_PARSE_BYTES may end inside a multi-byte character.
        return decoder.decode(content, final=False)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _check_readable(text: str, url: str | None) -> None:
    if not text.strip():
        raise ParseError("no text in document", url=url)
    sample = text[:20_000]
    controls = len(_BINARY_CONTROLS.findall(sample))
    if "\x00" in sample or controls > _MAX_CONTROL_SHARE * len(sample):
        raise ParseError("binary content", url=url)


# Plain text -----------------------------------------------------------------------------------


def _parse_plain_text(
    content: bytes,
    content_type: str | None,
    url: str | None,
    published: str | None,
    title: str | None,
    source: str | None,
) -> ParsedArticle:
    decoded = _decode(content, (_declared_charset(content_type),), url)
    _check_readable(decoded, url)
    text, header_date = _split_seed_header(decoded)
    if not text.strip():
        raise ParseError("no text after the date header", url=url)
    return ParsedArticle(
        url=url,
        title=_plain_text_headline(text) or _clean_hint(title),
        published=header_date or normalise_date(published),
        text=text,
        captions=bracketed_captions(text),
        source=source,
    )


def _split_seed_header(text: str) -> tuple[str, str | None]:
    """Remove a leading `date YYYY-MM-DD` header (when the date is real) and return its date."""
    match = _SEED_HEADER.match(text)
    if not match:
        return text, None
    header_date = normalise_date(match.group(1))
    if header_date is None:
        return text, None
    return text[match.end() :], header_date


def bracketed_captions(text: str) -> tuple[str, ...]:
    """Paragraphs wholly in square brackets (image captions in the seed style), verbatim."""
    captions: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        candidate = paragraph.strip()
        # "[a] b [c]" is not a caption: the only "]" must be the closing one.
        if (
            len(candidate) > 2
            and candidate.startswith("[")
            and candidate.endswith("]")
            and "]" not in candidate[:-1]
        ):
            captions.append(candidate)
    return tuple(captions)


def _plain_text_headline(text: str) -> str | None:
    """A short first line followed by a blank line, not ending like a sentence, is a headline."""
    parts = _PARAGRAPH_BREAK.split(text.lstrip("\ufeff"), maxsplit=1)
    if len(parts) < 2 or "\n" in parts[0].strip() or not parts[1].strip():
        return None
    line = parts[0].strip()
    words = line.split()
    if not 2 <= len(words) < _HEADLINE_MAX_WORDS:
        return None
    if line.endswith((".", ",", ";", ":", "]", '"', "”")) or line.startswith(("[", '"', "“")):
        return None
    return line if line[0].isupper() or line[0].isdigit() else None


def _clean_hint(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    return title or None


# HTML -----------------------------------------------------------------------------------------


def _parse_html(
    content: bytes,
    content_type: str | None,
    url: str | None,
    published: str | None,
    title: str | None,
    source: str | None,
) -> ParsedArticle:
    content = content[:MAX_PARSE_BYTES]
    meta_charset = EncodingDetector.find_declared_encoding(content[:4096], is_html=True)
    decoded = _decode(content, (_declared_charset(content_type), meta_charset), url)
    _check_readable(decoded, url)
    tree = _html_tree(decoded, url)
    metadata = extract_metadata(tree, url)
    text = _body_text(tree, url, metadata.captions)
    return ParsedArticle(
        url=url,
        canonical_url=metadata.canonical_url,
        title=metadata.title or _clean_hint(title),
        authors=metadata.authors,
        published=metadata.published or normalise_date(published),
        language=metadata.language,
        text=text,
        captions=metadata.captions,
        source=source,
        site_name=metadata.site_name,
        modified=metadata.modified,
        section=metadata.section,
        tags=metadata.tags,
        image=metadata.image,
        description=metadata.description,
    )


def _html_tree(decoded: str, url: str | None) -> HtmlElement:
    tree = load_html(decoded)
    if tree is None or len(tree) == 0:
        # trafilatura rejects bare fragments ("<p>x</p>"); give them a document around them.
        tree = load_html(f"<html><body>{decoded}</body></html>")
    if tree is None or len(tree) == 0:
        raise ParseError("not an HTML document", url=url)
    return tree


def _body_text(tree: HtmlElement, url: str | None, captions: tuple[str, ...]) -> str:
    # Captions are reported in their own field, so keep them out of the body trafilatura sees.
    for caption in tree.xpath(".//figcaption"):
        caption.drop_tree()
    text = _trafilatura_text(tree, url, fast=True)
    if len(text) < _RESCUE_BELOW_CHARS:
        # trafilatura's fallbacks (readability, jusText) rescue pages its own extractor misreads;
        # on pages it reads well they cost time and score no better (bench/eval_extraction.py).
        text = max(text, _trafilatura_text(tree, url, fast=False), key=len)
    text = _without_caption_lines(text, captions)
    if not text.strip():
        raise ParseError("no article text found", url=url)
    return text


def _trafilatura_text(tree: HtmlElement, url: str | None, *, fast: bool) -> str:
    # Tables are left out: AEB's article bodies exclude them (F1 0.951 without, 0.947 with),
    # and claim and event extraction read prose. trafilatura does not modify the tree it is given.
    text = trafilatura.extract(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=False,
        include_images=False,
    )
    return text or ""


def _without_caption_lines(text: str, captions: tuple[str, ...]) -> str:
    if not captions:
        return text
    caption_set = {" ".join(caption.split()) for caption in captions}
    lines = text.split("\n")
    return "\n".join(line for line in lines if " ".join(line.split()) not in caption_set)


# JSON -----------------------------------------------------------------------------------------

# Keys of one article object, each in precedence order (ours, then schema.org's names).
_JSON_TEXT_KEYS = ("text", "body", "articleBody")
_JSON_TITLE_KEYS = ("title", "headline")
_JSON_DATE_KEYS = ("published", "datePublished")
_JSON_AUTHOR_KEYS = ("authors", "author")


def _parse_json(
    content: bytes,
    content_type: str | None,
    url: str | None,
    published: str | None,
    title: str | None,
    source: str | None,
) -> ParsedArticle:
    """One article object: plain text in "text"/"body"/"articleBody", or a page in "html".

    The object's own title, date, authors and url win over what the HTML says: whoever wrote the
    object chose them. Its "url" is the article's canonical URL (and its url when none is given).
    """
    decoded = _decode(content[:MAX_PARSE_BYTES], (_declared_charset(content_type),), url)
    try:
        data = json.loads(decoded)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"not valid JSON: {error}", url=url) from error
    if not isinstance(data, dict):
        raise ParseError("a JSON document must be one article object", url=url)
    own_url = _json_string(data, ("url",))
    page_html = _json_string(data, ("html",))
    body = _json_string(data, _JSON_TEXT_KEYS)
    if page_html is None and body is None:
        raise ParseError("JSON article has no text, body, articleBody or html", url=url)
    fields = {
        "url": url or own_url,
        "title": _json_string(data, _JSON_TITLE_KEYS),
        "published": normalise_date(_json_string(data, _JSON_DATE_KEYS)),
        "authors": person_names(_json_authors(data), None),
        "canonical_url": own_url,
    }
    given = {key: value for key, value in fields.items() if value}
    if page_html is not None:
        article = _parse_html(
            page_html.encode("utf-8"), None, url or own_url, published, title, source
        )
        return article.model_copy(update=given)
    _check_readable(body, url)
    return ParsedArticle(
        text=body,
        captions=bracketed_captions(body),
        source=source,
        **{"title": _clean_hint(title), "published": normalise_date(published), **given},
    )


def _json_string(data: dict[str, object], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _json_authors(data: dict[str, object]) -> list[str]:
    for key in _JSON_AUTHOR_KEYS:
        value = data.get(key)
        values = value if isinstance(value, list) else [value]
        names = [item.get("name") if isinstance(item, dict) else item for item in values]
        found = [name for name in names if isinstance(name, str) and name.strip()]
        if found:
            return found
    return []
