"""Article metadata from an HTML tree: title, authors, date, language, site name, captions.

Each field is a tuple of small rules in precedence order; the first rule that gives a usable value
wins. The rules read a `PageSignals` that is gathered once per page (JSON-LD objects, meta tags), so
adding a rule never means parsing the page again.

The tree is lxml's, the same one trafilatura extracts the body from: parsing every page a second
time with BeautifulSoup costs about as much as trafilatura's whole extraction (measured on the AEB
pages), so bs4 is used only where it is cheap: the declared charset of the raw bytes.
"""

from __future__ import annotations

import html
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
    "person_names",
]

_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report|LiveBlogPosting)$")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " : ")
_WORDS = re.compile(r"\w+")
# Share of distinct words an <h1> and a metadata title must share to be the same headline.
_HEADLINE_OVERLAP = 0.6
# "By", "Analysis by", "Written by ...": what precedes a name in a byline.
_LEADING_BY = re.compile(
    r"^\s*(?:(?:analysis|opinion|commentary|column|story|text|words|written|reported|posted)"
    r"\s+)?by\s*:?\s+",
    re.IGNORECASE,
)
# Between names: commas (a role or an outlet follows), "and", "&", "|"; and a full stop after a
# surname ("Jane Doe. Daily Planet"), not after an initial ("Jane E. Doe").
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\||(?<=\w{3})\.\s)\s*", re.IGNORECASE)
# Words that show a byline names a role or an organisation rather than a person.
_NOT_A_PERSON = frozenset(
    """
    staff team desk editor editors editorial newsroom reporter reporters correspondent writer
    writers email e-mail author authors contributor contributors news press agency wire wires
    service services media online digital admin administrator the associated reuters afp
    bloomberg updated published follow twitter facebook photo photos video more view all posts
    article articles sport sports by and
    international group network channel magazine daily weekly times herald tribune
    monday tuesday wednesday thursday friday saturday sunday today yesterday
    january february march july september october november december
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_HTMLDATE_FLOOR = "1995-01-01"
_MAX_TAGS = 50
_MAX_TAG_CHARS = 100
_GENERATIONS = frozenset({"II", "III", "IV", "JR", "SR"})
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
    modified: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    description: str | None = None


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
        # JSON-LD written by templates often carries HTML entities ("&#8216;") inside strings.
        text = " ".join(html.unescape(str(value)).split())
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


def clean_title(title: str, site_name: str | None, url: str | None = None) -> str:
    """Drop " | Site" suffixes (and a "Site | " prefix) that name the site.

    A part names the site when it is the site's name, or, letters and digits only, contains the
    host's main label or is contained in it ("Space" for space.com, "Creative Loafing" for
    creativeloafing.com). Several suffixes go ("Story | World | News | Express.co.uk" keeps
    "Story | World | News": only the part naming the site is known to be boilerplate).
    """
    title = " ".join(html.unescape(title).split())
    names = _site_keys(site_name, url)
    if not names:
        return title
    changed = True
    while changed:
        changed = False
        for separator in _TITLE_SEPARATORS:
            head, sep, tail = title.rpartition(separator)
            if sep and head.strip() and _names_site(tail, names):
                title, changed = head.strip(), True
                break
            head, sep, tail = title.partition(separator)
            if sep and tail.strip() and _names_site(head, names):
                title, changed = tail.strip(), True
                break
    return title


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _site_keys(site_name: str | None, url: str | None) -> tuple[str, ...]:
    keys = [_alnum(site_name or "")]
    host = urlsplit(url or "").hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp", "mobile")]
    if len(labels) >= 2:
        # The registrable name: "express" of express.co.uk, "cnbc" of www.cnbc.com.
        second_level = labels[-3] if len(labels) >= 3 and len(labels[-1]) == 2 else labels[-2]
        keys.append(_alnum(second_level))
    return tuple(key for key in keys if len(key) >= 3)


def _names_site(part: str, keys: tuple[str, ...]) -> bool:
    part_key = _alnum(part)
    if not part_key or len(part.split()) > 6:
        return False
    if any(part_key == key for key in keys):
        return True
    # A short part ("AP", "a") is inside too many names to say anything; a long part that merely
    # mentions the site ("Comwrap at dmexco 2018") is part of the headline.
    inside = len(part_key) >= 4 and any(part_key in key for key in keys)
    around = (
        len(part.split()) <= 4
        and not any(ch.isdigit() for ch in part_key)
        and any(part_key.startswith(key) or part_key.endswith(key) for key in keys)
    )
    return inside or around


def _title_from_visible_headline(s: PageSignals) -> str | None:
    """The page's <h1> when it is the headline the metadata names, in its visible form.

    The metadata titles (JSON-LD headline, og:title, <title>) are often cut to a length, reworded
    for search engines or suffixed with the site; the <h1> a reader sees is the headline, but many
    pages also use <h1> for the logo, so an <h1> counts only when the metadata agrees with it.
    """
    claimed = [
        clean_title(t, None, s.url).casefold()
        for t in (
            _title_from_jsonld(s),
            s.first_meta("og:title"),
            s.first_meta("twitter:title"),
            _first_text(s.tree, ".//title"),
        )
        if t
    ]
    if not claimed:
        return None
    for element in s.tree.xpath(".//h1")[:5]:
        h1 = " ".join(html.unescape(_element_text(element)).split())
        if h1 and any(_same_headline(h1, title) for title in claimed):
            return h1
    return None


def _same_headline(h1: str, claimed: str) -> bool:
    h1_words, claimed_words = _WORDS.findall(h1.casefold()), _WORDS.findall(claimed)
    if len(h1_words) < 2 or not claimed_words:
        return False
    if claimed.startswith(h1.casefold()) or h1.casefold().startswith(claimed):
        return True
    shared = len(set(h1_words) & set(claimed_words))
    return shared / len(set(h1_words) | set(claimed_words)) >= _HEADLINE_OVERLAP


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


def _title_from_dublin_core(s: PageSignals) -> str | None:
    return s.first_meta("dc.title", "dcterms.title")


def _title_from_title_tag(s: PageSignals) -> str | None:
    return _first_text(s.tree, ".//title")


def _title_from_h1(s: PageSignals) -> str | None:
    return _first_text(s.tree, ".//h1")


TITLE_RULES = (
    _title_from_visible_headline,
    _title_from_jsonld,
    _title_from_og,
    _title_from_twitter,
    _title_from_dublin_core,
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
    keys = (
        "author",
        "article:author",
        "byl",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
    )
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


def person_names(candidates: list[str], site_name: str | None) -> tuple[str, ...]:
    """Split bylines into names and keep those that look like a person's name."""
    names: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        for part in _NAME_SPLIT.split(_LEADING_BY.sub("", candidate or "")):
            name = _readable_case(" ".join(_LEADING_BY.sub("", part).split()))
            if _looks_like_person(name, site_name) and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
    return tuple(names)


def _readable_case(name: str) -> str:
    """ "TOM KRISHER" (wire bylines in capitals) becomes "Tom Krisher"; mixed case is kept."""
    if not name.isupper():
        return name

    # Each run of letters: "O'NEIL" → "O'Neil", "MARY-JANE" → "Mary-Jane".
    return re.sub(r"[^\W\d_]+", lambda letters: letters[0].capitalize(), name)


def _looks_like_person(name: str, site_name: str | None) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or len(name) > 60:
        return False
    marks = ("@", "/", "http", ":", " - ", "|")
    if any(ch.isdigit() for ch in name) or any(mark in name for mark in marks):
        return False
    if site_name and site_name.casefold() in name.casefold():
        return False
    parts = [part.casefold() for word in words for part in re.split(r"[-.,()]", word) if part]
    if any(part in _NOT_A_PERSON for part in parts):
        return False
    # An acronym ("CNN", "AP") is an organisation's name, not part of a person's.
    # Initials ("J.K.", "E.") have full stops; an acronym has none.
    bare = [word.strip(",()") for word in words if "." not in word]
    if any(len(word) >= 2 and word.isupper() and word not in _GENERATIONS for word in bare):
        return False
    return words[0][0].isupper()


def _authors(signals: PageSignals, site_name: str | None) -> tuple[str, ...]:
    # A rule only "wins" when something survives the person filter, so a page whose JSON-LD names
    # only "Staff" still gets its meta author.
    for rule in AUTHOR_RULES:
        names = person_names(rule(signals), site_name)
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
        "dcterms.issued",
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
    # The last resort, bounded: htmldate's quick search only (its extensive search reads every
    # date-like string of the page), and only dates from _HTMLDATE_FLOOR up to today.
    try:
        found = htmldate.find_date(
            s.tree,
            url=s.url,
            original_date=True,
            extensive_search=False,
            outputformat="%Y-%m-%d",
            min_date=_HTMLDATE_FLOOR,
            max_date=date.today().isoformat(),
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


# Modified date --------------------------------------------------------------------------------


def _modified_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        found = normalise_date(_text(obj.get("dateModified")))
        if found:
            return found
    return None


def _modified_from_meta(s: PageSignals) -> str | None:
    keys = (
        "article:modified_time",
        "og:updated_time",
        "datemodified",
        "dc.date.modified",
        "dcterms.modified",
        "last-modified",
    )
    for key in keys:
        found = normalise_date(s.first_meta(key))
        if found:
            return found
    return None


def _modified_from_time_element(s: PageSignals) -> str | None:
    for element in s.tree.xpath(".//time[@itemprop='dateModified'][@datetime]"):
        found = normalise_date(element.get("datetime"))
        if found:
            return found
    return None


MODIFIED_RULES = (_modified_from_jsonld, _modified_from_meta, _modified_from_time_element)


# Section and tags -----------------------------------------------------------------------------


def _section_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        section = _text(obj.get("articleSection"))
        if section:
            return section
    return None


def _section_from_meta(s: PageSignals) -> str | None:
    found = s.first_meta("article:section", "parsely-section", "section", "dc.subject")
    return " ".join(html.unescape(found).split()) if found else None


SECTION_RULES = (_section_from_jsonld, _section_from_meta)


def _split_tags(values: list[Any]) -> list[str]:
    tags: list[str] = []
    for value in values:
        if isinstance(value, str):
            tags.extend(part for part in re.split(r"[,;]", value))
    return tags


def _tags_from_article_tag(s: PageSignals) -> list[str]:
    # One article:tag per tag, and a tag may hold a comma ("Elections, Governors"); a page that
    # gives a single article:tag packs its list into it.
    tags = list(s.meta.get("article:tag", ()))
    return _split_tags(tags) if len(tags) == 1 else tags


def _tags_from_jsonld(s: PageSignals) -> list[str]:
    for obj in s.articles():
        keywords = obj.get("keywords")
        found = _split_tags(keywords if isinstance(keywords, list) else [keywords])
        if found:
            return found
    return []


def _tags_from_keywords_meta(s: PageSignals) -> list[str]:
    return _split_tags([*s.meta.get("news_keywords", ()), *s.meta.get("keywords", ())])


TAG_RULES = (_tags_from_article_tag, _tags_from_jsonld, _tags_from_keywords_meta)


def _tags(signals: PageSignals) -> tuple[str, ...]:
    for rule in TAG_RULES:
        tags: dict[str, str] = {}
        for raw in rule(signals):
            tag = " ".join(html.unescape(raw).split())
            # Machine keys ("id:1234", "@hp-top-stories") and sentences are not tags people use.
            if tag and len(tag) <= _MAX_TAG_CHARS and ":" not in tag and tag[0] != "@":
                tags.setdefault(tag.casefold(), tag)
        if tags:
            return tuple(tags.values())[:_MAX_TAGS]
    return ()


# Lead image and description -------------------------------------------------------------------


def _image_from_og(s: PageSignals) -> str | None:
    keys = ("og:image", "og:image:url", "og:image:secure_url")
    return next(
        (i for k in keys for v in s.meta.get(k, ()) if (i := _absolute_http(v, s.url))), None
    )


def _jsonld_image_url(value: Any) -> str | None:
    if isinstance(value, list):
        return next((url for item in value if (url := _jsonld_image_url(item))), None)
    if isinstance(value, dict):
        return _jsonld_image_url(value.get("url") or value.get("contentUrl"))
    return value if isinstance(value, str) else None


def _image_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        found = _absolute_http(_jsonld_image_url(obj.get("image")), s.url)
        if found:
            return found
    return None


def _image_from_twitter(s: PageSignals) -> str | None:
    return _absolute_http(s.first_meta("twitter:image", "twitter:image:src"), s.url)


def _image_from_link(s: PageSignals) -> str | None:
    for link in s.tree.xpath(".//link[@href][@rel='image_src']"):
        return _absolute_http(link.get("href"), s.url)
    return None


IMAGE_RULES = (_image_from_og, _image_from_jsonld, _image_from_twitter, _image_from_link)


def _description_from_meta(s: PageSignals) -> str | None:
    found = s.first_meta("og:description", "twitter:description", "description", "dc.description")
    return " ".join(html.unescape(found).split()) if found else None


def _description_from_jsonld(s: PageSignals) -> str | None:
    for obj in s.articles():
        found = _text(obj.get("description"))
        if found:
            return found
    return None


DESCRIPTION_RULES = (_description_from_meta, _description_from_jsonld)


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
        title=clean_title(title, site_name, url) if title else None,
        authors=_authors(signals, site_name),
        published=_first_of(PUBLISHED_RULES, signals),
        language=_first_of(LANGUAGE_RULES, signals),
        site_name=site_name,
        captions=figure_captions(tree),
        canonical_url=_first_of(CANONICAL_RULES, signals),
        modified=_first_of(MODIFIED_RULES, signals),
        section=_first_of(SECTION_RULES, signals),
        tags=_tags(signals),
        image=_first_of(IMAGE_RULES, signals),
        description=_first_of(DESCRIPTION_RULES, signals),
    )
