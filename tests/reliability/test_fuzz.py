"""Fuzzing the parsers and extractors with hypothesis: no input may raise anything but our errors.

Every property runs twice: a few examples in the normal suite and 10,000 under `-m slow`.
Inputs are random bytes, structured-but-random feeds and pages, and real documents of the shared
corpus (feeds, AEB pages) cut and corrupted at random points. "Recorded" is checked through the
pipeline's own batch functions: a document either parses or becomes exactly one log record.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.errors import ExtractError, NewsflowError, ParseError
from schemas.records import Document, ParsedArticle
from tasks.articles import parse_documents
from tasks.discover import feed_entries
from tasks.extract import extract_articles

QUICK = 30
FULL = 10_000
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BASE_URL = "http://news.example.org/feed.xml"


def _corpus_files(folder: str, pattern: str, limit: int) -> list[bytes]:
    paths = sorted((CORPUS / folder).rglob(pattern))[:limit]
    if pattern.endswith(".gz"):
        return [gzip.decompress(path.read_bytes()) for path in paths]
    return [path.read_bytes() for path in paths]


REAL_FEEDS = _corpus_files("feeds", "*.*ml", 80) + _corpus_files("feeds", "*.rss", 40)
REAL_PAGES = _corpus_files("aeb/html", "*.html.gz", 12)


def _fuzz(examples: int) -> Callable:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@st.composite
def _corrupted(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """A real document cut at a random point, with random bytes spliced in."""
    if not originals:
        return draw(st.binary(max_size=2000))
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=40))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[: cut if draw(st.booleans()) else len(data)])


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
_HOSTILE = st.sampled_from(
    [
        "",
        "<",
        "&",
        "&amp;",
        "]]>",
        "<![CDATA[",
        "&#0;",
        "\x00",
        "javascript:x",
        "file:///etc/x",
        "http://",
        "//x",
        "\u202e",
        "\ufeff",
        "%00",
        "<!ENTITY x SYSTEM 'file:///etc/passwd'>",
    ]
)


@st.composite
def _random_feed(draw: st.DrawFn) -> bytes:
    """RSS, Atom or JSON Feed shapes with random and hostile titles, links and dates."""
    field = st.one_of(_TEXT, _HOSTILE)
    items = draw(st.lists(st.tuples(field, field, field), max_size=5))
    kind = draw(st.sampled_from(["rss", "atom", "json"]))
    if kind == "json":
        body = ",".join(
            f'{{"id": "{escape(a)}", "url": "{escape(b)}", "title": "{escape(c)}"}}'
            for a, b, c in items
        )
        return ('{"version": "https://jsonfeed.org/version/1", "items": [' + body + "]}").encode()
    escaped = draw(st.booleans())
    quote = escape if escaped else (lambda text: text)
    if kind == "rss":
        body = "".join(
            f"<item><title>{quote(a)}</title><link>{quote(b)}</link>"
            f"<pubDate>{quote(c)}</pubDate></item>"
            for a, b, c in items
        )
        document = f'<rss version="2.0"><channel><title>x</title>{body}</channel></rss>'
    else:
        body = "".join(
            f'<entry><title>{quote(a)}</title><link href="{quote(b)}"/>'
            f"<updated>{quote(c)}</updated></entry>"
            for a, b, c in items
        )
        document = f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    header = f'<?xml version="1.0" encoding="{encoding}"?>'
    return (header + document).encode(encoding, errors="replace")


_FEEDS = st.one_of(st.binary(max_size=3000), _random_feed(), _corrupted(REAL_FEEDS))


def _check_feed(content: bytes) -> None:
    try:
        entries = feed_entries(content, base_url=BASE_URL, source="fuzz")
    except NewsflowError as error:  # ParseError, or RefusedError for hostile DTDs
        assert str(error)
        return
    for entry in entries:
        assert entry.url.split(":", 1)[0].lower() in ("http", "https", "file")


@st.composite
def _random_html(draw: st.DrawFn) -> bytes:
    tags = st.sampled_from(
        [
            "p",
            "div",
            "article",
            "h1",
            "figure",
            "figcaption",
            "script",
            "style",
            "title",
            "meta",
            "table",
            "td",
            "br",
            "img",
            "a",
            "span",
            "noscript",
            "svg",
            "template",
        ]
    )
    parts = draw(
        st.lists(
            st.one_of(
                _TEXT.map(escape),
                _HOSTILE,
                tags.map(lambda t: f"<{t}>"),
                tags.map(lambda t: f"</{t}>"),
            ),
            max_size=60,
        )
    )
    head = draw(st.sampled_from(["", "<!doctype html>", "<html><head><title>t</title></head>"]))
    return (head + "<body>" + "".join(parts)).encode("utf-8", errors="replace")


_PAGES = st.one_of(st.binary(max_size=3000), _random_html(), _corrupted(REAL_PAGES))
_PLAIN = st.tuples(
    _TEXT, st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "shift_jis"])
).map(lambda pair: pair[0].encode(pair[1], errors="replace"))
_CONTENT_TYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=bogus",
        "text/plain",
        "text/plain; charset=latin-1",
        "application/xhtml+xml",
        "application/octet-stream",
    ]
)


def _check_recorded(content: bytes, content_type: str | None) -> None:
    """parse_documents turns the document into one article or one log record, never raises."""
    doc = Document(
        source="fuzz",
        url="http://news.example.org/a",
        final_url="http://news.example.org/a",
        content=content,
        content_type=content_type,
        status=200,
        fetched_at=datetime.now(UTC),
    )
    parsed, failures = parse_documents([doc])
    assert len(parsed) + len(failures) == 1
    if failures:
        assert failures[0].error and failures[0].error_class == ParseError.__name__
    else:
        assert parsed[0].text.strip()


_WORDS = st.sampled_from(
    [
        "said",
        "told",
        "according to",
        "the minister",
        "Biden",
        "China",
        "met",
        "in",
        "London",
        "on Monday",
        '"',
        "'",
        "\n",
        ".",
        ",",
        "attacked",
        "agreed",
        "with",
        "Reuters",
        "he",
        "it",
        "[Photo: AP]",
        "Mr.",
        "2021",
        "sanctions",
        "protest",
        "—",
        "(",
        ")",
        " ",
        "\u00a0",
    ]
)
_ARTICLE_TEXT = st.one_of(_TEXT, st.lists(st.one_of(_WORDS, _TEXT), max_size=80).map(" ".join))


def _check_extract(texts: list[str]) -> None:
    articles = [
        ParsedArticle(url=f"http://news.example.org/{i}", text=text, published="2021-05-04")
        for i, text in enumerate(texts)
    ]
    try:
        records = extract_articles(articles)
    except ExtractError as error:  # recorded by articles_from_documents, which names the URL
        assert error.url
        return
    assert len(records) == len(articles)
    for record in records:
        size = len(record.text)
        for claim in record.claims:
            assert 0 <= claim.content_start <= claim.content_end <= size
        for entity in record.entities:
            assert record.text[entity.start : entity.end] == entity.name


def _feed_test(examples: int) -> Callable:
    @_fuzz(examples)
    @given(_FEEDS)
    def test(content: bytes) -> None:
        _check_feed(content)

    return test


def _html_test(examples: int) -> Callable:
    @_fuzz(examples)
    @given(_PAGES, _CONTENT_TYPES)
    def test(content: bytes, content_type: str | None) -> None:
        _check_recorded(content, content_type)

    return test


def _plain_test(examples: int) -> Callable:
    @_fuzz(examples)
    @given(_PLAIN, st.sampled_from(["text/plain", "text/plain; charset=utf-8", None]))
    def test(content: bytes, content_type: str | None) -> None:
        _check_recorded(content, content_type)

    return test


def _extract_test(examples: int) -> Callable:
    @_fuzz(examples)
    @given(st.lists(_ARTICLE_TEXT, min_size=1, max_size=3))
    def test(texts: list[str]) -> None:
        _check_extract(texts)

    return test


test_feed_parser = _feed_test(QUICK)
test_html_parser = _html_test(QUICK)
test_plain_text_parser = _plain_test(QUICK)
test_extractors = _extract_test(QUICK)
test_feed_parser_full = pytest.mark.slow(_feed_test(FULL))
test_html_parser_full = pytest.mark.slow(_html_test(FULL))
test_plain_text_parser_full = pytest.mark.slow(_plain_test(FULL))
test_extractors_full = pytest.mark.slow(_extract_test(FULL))


# Found by test_feed_parser_full: urljoin raised ValueError on "//[", losing the whole feed.
def test_a_link_that_is_not_a_url_costs_only_its_item() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><link>//[</link></item>"
        b"<item><link>http://news.example.org/ok</link></item></channel></rss>"
    )
    entries = feed_entries(feed, base_url=BASE_URL, source="fuzz")
    assert [entry.url for entry in entries] == ["http://news.example.org/ok"]
