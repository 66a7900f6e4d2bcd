"""Article metadata from an HTML tree: title, authors, date, language, site name, captions.

Each field is a tuple of small rules in precedence order; the first rule that gives a usable value
wins. The rules read a `PageSignals` that is gathered once per page (JSON-LD objects, meta tags), so
adding a rule never means parsing the page again.

The tree is lxml's, the same one trafilatura extracts the body from: parsing every page a second
time with BeautifulSoup costs about as much as trafilatura's whole extraction (measured on the AEB
pages), so bs4 is used only where it is cheap: the declared charset of the raw bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import dateparser
import htmldate
from lxml.html import HtmlElement

__all__ = [
    "PageMetadata",
    "PageSignals",
    "clean_title",
    "extract_metadata",
    "figure_captions",
    "normalise_date",
    "normalise_language",
]

_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report|LiveBlogPosting)$")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " : ")
_LEADING_BY = re.compile(r"^\s*by\s*:?\s+", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\|)\s*", re.IGNORECASE)
# Words that show a byline names a role or an organisation rather than a person.
_NOT_A_PERSON = frozenset(
    """
    staff team desk editor editors editorial newsroom reporter reporters correspondent writer
    writers email e-mail author authors contributor contributors news press agency wire wires
    service services media online digital admin administrator the associated reuters afp
    bloomberg updated published follow twitter facebook photo photos video more view all posts
    article articles sport sports by and
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_MIN_YEAR, _MAX_YEAR = 1990, 2100
# A publication date names a day: no "yesterday" (relative to when we run) and no bare "2021".
_DATEPARSER_SETTINGS = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
}


@dataclass(frozen=True)
class PageMetadata:
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    language: str | None = None
    site_name: str | None = None
    captions: tuple[str, ...] = ()
    canonical_url: str | None = None


@dataclass
class PageSignals:
    """What the rules look at, gathered from the tree in one pass over its head-like parts."""

    tree: HtmlElement
    url: str | None
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_tree(cls, tree: HtmlElement, url: str | None) -> PageSignals:
        signals = cls(tree=tree, url=url)
        for script in tree.iterfind(".//script[@type]"):
            if script.get("type", "").strip().lower() == "application/ld+json":
                signals.jsonld.extend(_jsonld_objects(script.text or ""))
        for tag in tree.iterfind(".//meta"):
            content = (tag.get("content") or "").strip()
            if not content:
                continue
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                key = (tag.get(attribute) or "").strip().lower()
                if key:
                    signals.meta.setdefault(key, []).append(content)
        return signals

    def first_meta(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                return value
        return None

    def articles(self) -> list[dict[str, Any]]:
        """JSON-LD objects typed as an article (NewsArticle, BlogPosting, ...), then the rest."""
        typed = [obj for obj in self.jsonld if any(_ARTICLE_TYPE.search(t) for t in _types(obj))]
        return typed + [obj for obj in self.jsonld if obj not in typed]


# JSON-LD ------------------------------------------------------------------------------------


def _jsonld_objects(raw: str) -> Iterator[dict[str, Any]]:
    raw = raw.strip()
    # Some CMSs wrap the JSON in an HTML comment or CDATA section to hide it from old browsers.
    for wrapper in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        raw = raw.replace(wrapper, "")
    try:
        data = json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        return
    yield from _walk_jsonld(data, depth=0)


def _walk_jsonld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _walk_jsonld(data.get("@graph"), depth + 1)


def _types(obj: dict[str, Any]) -> list[str]:
    value = obj.get("@type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD author/publisher value: a string, an object with name, or a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "Organization" in _types(value) or "NewsMediaOrganization" in _types(value):
            return []
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _text(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


# Shared helpers -----------------------------------------------------------------------------


def _element_text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _first_text(tree: HtmlElement, path: str) -> str | None:
    for element in tree.iterfind(path):
        text = _element_text(element)
        if text:
            return text
    return None


def _first_of(rules: tuple[Callable[[PageSignals], Any], ...], signals: PageSignals) -> Any:
    for rule in rules:
        value = rule(signals)
        if value:
            return value
    return None


# Site name (needed first: the title and author rules compare against it) --------------------


def _site_from_og(s: PageSignals) -> str | None:
    return s.first_meta("og:site_name")


def _site_from_jsonld_publisher(s: PageSignals) -> str | None:
    for obj in s.articles():
        publisher = obj.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        if isinstance(publisher, dict) and _text(publisher.get("name")):
            return _text(publisher.get("name"))
    return None


def _site_from_jsonld_website(s: PageSignals) -> str | None:
    for obj in s.jsonld:
        if "WebSite" in _types(obj) and _text(obj.get("name")):
            return _text(obj.get("name"))
    return None


def _site_from_application_name(s: PageSignals) -> str | None:
    return s.first_meta("application-name")


SITE_NAME_RULES = (
    _site_from_og,
    _site_from_jsonld_publisher,
    _site_from_jsonld_website,
    _site_from_application_name,
)


# Title ----------------------------------------------------------------------------------------


def clean_title(title: str, site_name: str | None) -> str:
    """Drop a " | Site" suffix (or "Site | " prefix) when it is exactly the site's name."""
    title = " ".join(title.split())
    if not site_name:
        return title
    site = site_name.strip().casefold()
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and head and tail.strip().casefold() == site:
            return head.strip()
        head, sep, tail = title.partition(separator)
        if sep and tail and head.strip().casefold() == site:
            return tail.strip()
    return title


def _title_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        headline = _text(obj.get("headline"))
        if headline:
            return headline
    return None


def _title_from_og(s: PageSignals) -> str | None:
    return s.first_meta("og:title")


def _title_from_twitter(s: PageSignals) -> str | None:
    return s.first_meta("twitter:title")


def _title_from_title_tag(s: PageSignals) -> str | None:
    return _first_text(s.tree, ".//title")


def _title_from_h1(s: PageSignals) -> str | None:
    return _first_text(s.tree, ".//h1")


TITLE_RULES = (
    _title_from_jsonld,
    _title_from_og,
    _title_from_twitter,
    _title_from_title_tag,
    _title_from_h1,
)


# Authors --------------------------------------------------------------------------------------


def _authors_from_jsonld(s: PageSignals) -> list[str]:
    for obj in s.articles():
        names = _names(obj.get("author"))
        if names:
            return names
    return []


def _authors_from_meta(s: PageSignals) -> list[str]:
    keys = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")
    return [value for key in keys for value in s.meta.get(key, ())]


def _authors_from_rel_author(s: PageSignals) -> list[str]:
    links = s.tree.xpath(".//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]")
    return [_element_text(link) for link in links]


def _authors_from_byline(s: PageSignals) -> list[str]:
    found = s.tree.xpath(
        ".//*[@itemprop='author']"
        " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"
        " | .//*[contains(@class, 'author-name') or contains(@class, 'byline__name')]"
    )
    names: list[str] = []
    for element in found[:10]:
        named = element.xpath(".//*[@itemprop='name']")
        if named:
            names.extend(_element_text(n) for n in named)
        else:
            names.append(_element_text(element))
    return names


AUTHOR_RULES = (
    _authors_from_jsonld,
    _authors_from_meta,
    _authors_from_rel_author,
    _authors_from_byline,
)


def _person_names(candidates: list[str], site_name: str | None) -> tuple[str, ...]:
    """Split bylines into names and keep those that look like a person's name."""
    names: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        for part in _NAME_SPLIT.split(_LEADING_BY.sub("", candidate or "")):
            name = " ".join(_LEADING_BY.sub("", part).split())
            if _looks_like_person(name, site_name) and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
    return tuple(names)


def _looks_like_person(name: str, site_name: str | None) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or len(name) > 60:
        return False
    marks = ("@", "/", "http", ":", " - ", "|")
    if any(ch.isdigit() for ch in name) or any(mark in name for mark in marks):
        return False
    if site_name and site_name.casefold() in name.casefold():
        return False
    if any(word.strip(".,()").casefold() in _NOT_A_PERSON for word in words):
        return False
    return words[0][0].isupper()


def _authors(signals: PageSignals, site_name: str | None) -> tuple[str, ...]:
    # A rule only "wins" when something survives the person filter, so a page whose JSON-LD names
    # only "Staff" still gets its meta author.
    for rule in AUTHOR_RULES:
        names = _person_names(rule(signals), site_name)
        if names:
            return names
    return ()


# Published date -------------------------------------------------------------------------------


def normalise_date(value: str | None) -> str | None:
    """ISO "YYYY-MM-DDTHH:MM:SS+HH:MM" when the value has a time and an offset, else "YYYY-MM-DD".

    Values without a year in a plausible range (1990-2100) are not dates of a news article.
    """
    value = (value or "").strip()
    if not value or len(value) > 80:
        return None
    parsed = _parse_datetime(value)
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        return parsed.replace(microsecond=0).isoformat()
    return parsed.date().isoformat()


def _parse_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
    except ValueError:
        pass
    try:
        # Feeds and HTTP-style meta tags: "Tue, 04 May 2021 10:00:00 GMT".
        return parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        pass
    try:
        return dateparser.parse(value, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None


def _published_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        found = normalise_date(_text(obj.get("datePublished")))
        if found:
            return found
    return None


def _published_from_article_meta(s: PageSignals) -> str | None:
    keys = ("article:published_time", "og:article:published_time", "datepublished")
    return normalise_date(s.first_meta(*keys))


def _published_from_date_meta(s: PageSignals) -> str | None:
    keys = (
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "dc.date",
        "dc.date.issued",
        "dcterms.date",
        "dcterms.created",
        "parsely-pub-date",
        "sailthru.date",
    )
    return normalise_date(s.first_meta(*keys))


def _published_from_time_element(s: PageSignals) -> str | None:
    # A <time> inside the article is about the article; elsewhere it may be a sidebar's.
    for path in (".//article//time[@datetime]", ".//time[@datetime]"):
        for element in s.tree.iterfind(path):
            found = normalise_date(element.get("datetime"))
            if found:
                return found
    return None


def _published_from_htmldate(s: PageSignals) -> str | None:
    try:
        found = htmldate.find_date(
            s.tree, url=s.url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
        )
    except Exception:  # htmldate is a heuristic; a failure there only means "no date".
        return None
    return normalise_date(found)


PUBLISHED_RULES = (
    _published_from_jsonld,
    _published_from_article_meta,
    _published_from_date_meta,
    _published_from_time_element,
    _published_from_htmldate,
)


# Language -------------------------------------------------------------------------------------


def normalise_language(value: str | None) -> str | None:
    """The primary subtag, lower-case: "en-US", "en_GB", "EN" all become "en"."""
    primary = re.split(r"[-_,;\s]", (value or "").strip(), maxsplit=1)[0].lower()
    return primary if primary.isascii() and primary.isalpha() and len(primary) in (2, 3) else None


def _language_from_html_lang(s: PageSignals) -> str | None:
    root = s.tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return normalise_language(lang)


def _language_from_og_locale(s: PageSignals) -> str | None:
    return normalise_language(s.first_meta("og:locale"))


def _language_from_content_language(s: PageSignals) -> str | None:
    return normalise_language(s.first_meta("content-language", "language", "dc.language"))


def _language_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        found = normalise_language(_text(obj.get("inLanguage")))
        if found:
            return found
    return None


LANGUAGE_RULES = (
    _language_from_html_lang,
    _language_from_og_locale,
    _language_from_content_language,
    _language_from_jsonld,
)


# Canonical URL and captions -------------------------------------------------------------------


def _absolute_http(href: str | None, base: str | None) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    absolute = urljoin(base, href) if base else href
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def _canonical_from_link(s: PageSignals) -> str | None:
    for link in s.tree.xpath(".//link[@href][contains(concat(' ', @rel, ' '), ' canonical ')]"):
        found = _absolute_http(link.get("href"), s.url)
        if found:
            return found
    return None


def _canonical_from_og(s: PageSignals) -> str | None:
    return _absolute_http(s.first_meta("og:url"), s.url)


CANONICAL_RULES = (_canonical_from_link, _canonical_from_og)


def figure_captions(tree: HtmlElement) -> tuple[str, ...]:
    """The text of each <figcaption>, whitespace-normalised, each once."""
    captions: list[str] = []
    for element in tree.iterfind(".//figcaption"):
        text = _element_text(element)
        if text and text not in captions:
            captions.append(text)
    return tuple(captions)


# Everything -----------------------------------------------------------------------------------


def extract_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Apply each field's rules in order; the tree is read, never changed."""
    signals = PageSignals.from_tree(tree, url)
    site_name = _first_of(SITE_NAME_RULES, signals)
    title = _first_of(TITLE_RULES, signals)
    return PageMetadata(
        title=clean_title(title, site_name) if title else None,
        authors=_authors(signals, site_name),
        published=_first_of(PUBLISHED_RULES, signals),
        language=_first_of(LANGUAGE_RULES, signals),
        site_name=site_name,
        captions=figure_captions(tree),
        canonical_url=_first_of(CANONICAL_RULES, signals),
    )
