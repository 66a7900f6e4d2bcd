"""Metadata rules, each on a small page written here and on the AEB pages that carry its signal."""

from __future__ import annotations

import gzip
import html
import json
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from tasks.metadata import PageSignals, clean_title, extract_metadata, normalise_date
from tasks.parse import parse_bytes

PROSE = (
    "<p>The city council voted on Tuesday to expand the harbour, ending a debate that had run for "
    "more than three years and divided residents of the old quarter.</p>"
    "<p>Supporters said the project would bring jobs and new ferry routes to the island, while "
    "fishermen warned that dredging would damage the breeding grounds offshore.</p>"
)


def tree(head: str = "", body: str = PROSE) -> HtmlElement:
    return load_html(f"<html><head>{head}</head><body><article>{body}</article></body></html>")


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# Small pages, one rule each --------------------------------------------------------------------


def test_twitter_card_gives_title_image_and_description() -> None:
    head = (
        '<meta name="twitter:title" content="Harbour vote">'
        '<meta name="twitter:image" content="/img/harbour.jpg">'
        '<meta name="twitter:description" content="The council voted.">'
    )
    found = extract_metadata(tree(head), "https://example.org/news/a")
    assert found.title == "Harbour vote"
    assert found.image == "https://example.org/img/harbour.jpg"
    assert found.description == "The council voted."


def test_dublin_core_gives_title_author_dates_and_section() -> None:
    head = (
        '<meta name="DC.title" content="Harbour vote">'
        '<meta name="DC.creator" content="Doe, Jane">'
        '<meta name="DC.creator" content="Jane Doe">'
        '<meta name="DCTERMS.issued" content="2021-05-04">'
        '<meta name="DCTERMS.modified" content="2021-05-05T08:00:00+02:00">'
        '<meta name="DC.subject" content="Local politics">'
    )
    found = extract_metadata(tree(head))
    assert found.title == "Harbour vote"
    assert found.authors == ("Jane Doe",)
    assert (found.published, found.modified) == ("2021-05-04", "2021-05-05T08:00:00+02:00")
    assert found.section == "Local politics"


def test_modified_keeps_its_timezone_and_jsonld_comes_first() -> None:
    head = (
        jsonld({"@type": "NewsArticle", "dateModified": "2021-05-05T10:00:00-04:00"})
        + '<meta property="article:modified_time" content="2021-05-06T00:00:00Z">'
    )
    assert extract_metadata(tree(head)).modified == "2021-05-05T10:00:00-04:00"
    meta_only = '<meta property="article:modified_time" content="2021-05-06T00:00:00Z">'
    assert extract_metadata(tree(meta_only)).modified == "2021-05-06T00:00:00+00:00"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="article:tag" content="Harbours"><meta property="article:tag" '
            'content="Elections, local"><meta name="keywords" content="x, y">',
            ("Harbours", "Elections, local"),
        ),
        (
            jsonld({"@type": "NewsArticle", "keywords": ["Harbours", "Ferries"]}),
            ("Harbours", "Ferries"),
        ),
        (
            jsonld({"@type": "NewsArticle", "keywords": "Harbours, Ferries"}),
            ("Harbours", "Ferries"),
        ),
        ('<meta name="keywords" content="harbours; ferries, Harbours">', ("harbours", "ferries")),
        ('<meta name="news_keywords" content="id:123, Ferries">', ("Ferries",)),
    ],
)
def test_tags_in_precedence_order(head: str, expected: tuple[str, ...]) -> None:
    assert extract_metadata(tree(head)).tags == expected


def test_lead_image_from_og_then_jsonld_image_object() -> None:
    og = '<meta property="og:image" content="https://cdn.example.org/a.jpg">'
    ld = jsonld({"@type": "NewsArticle", "image": [{"@type": "ImageObject", "url": "/b.jpg"}]})
    assert extract_metadata(tree(og + ld)).image == "https://cdn.example.org/a.jpg"
    assert extract_metadata(tree(ld), "https://example.org/x").image == "https://example.org/b.jpg"
    assert extract_metadata(tree(ld)).image is None  # relative, and no page URL to resolve it


def test_section_from_jsonld_then_article_section() -> None:
    ld = jsonld({"@type": "NewsArticle", "articleSection": ["World", "Europe"]})
    meta = '<meta property="article:section" content="Politics">'
    assert extract_metadata(tree(ld + meta)).section == "World"
    assert extract_metadata(tree(meta)).section == "Politics"


def test_htmldate_is_the_last_resort_and_is_bounded_in_time() -> None:
    page = tree()
    assert extract_metadata(page, "https://example.org/2021/03/04/harbour.html").published == (
        "2021-03-04"
    )
    future = date.today().year + 2
    assert (
        extract_metadata(page, f"https://example.org/{future}/03/04/harbour.html").published is None
    )
    assert extract_metadata(page, "https://example.org/1980/03/04/harbour.html").published is None
    dated = '<meta name="date" content="2020-01-02">'
    assert extract_metadata(tree(dated), "https://example.org/2021/03/04/h.html").published == (
        "2020-01-02"
    )


def test_visible_headline_wins_when_the_metadata_names_it() -> None:
    head = (
        '<meta property="og:title" content="Council votes on harbour | Gazette">'
        "<title>Council votes on harbour plan after three-year debate - Gazette</title>"
    )
    body = "<h1>Council votes on harbour plan after three-year debate</h1>" + PROSE
    assert extract_metadata(tree(head, body)).title == (
        "Council votes on harbour plan after three-year debate"
    )
    logo = "<h1>The Gazette</h1>" + PROSE
    assert extract_metadata(tree(head, logo), "https://gazette.example/a").title == (
        "Council votes on harbour"
    )


@pytest.mark.parametrize(
    ("title", "site", "url", "expected"),
    [
        (
            "Tampa eats | Creative Loafing",
            None,
            "https://www.cltampa.com/x",
            "Tampa eats | Creative Loafing",
        ),
        ("Tampa eats | Creative Loafing", None, "https://creativeloafing.com/x", "Tampa eats"),
        ("Europa plumes | Space", "Space.com", None, "Europa plumes"),
        (
            "Story | World | News | Express.co.uk",
            None,
            "https://www.express.co.uk/a",
            "Story | World | News",
        ),
        (
            "Take care - Comwrap at dmexco 2018",
            None,
            "https://blog.comwrap.com/a",
            "Take care - Comwrap at dmexco 2018",
        ),
        (
            "Dare to Play – Vortex Cannon Entertainment",
            None,
            "https://vortexcannon.org/a",
            "Dare to Play",
        ),
        ("AP - the news", "AP", None, "AP - the news"),
    ],
)
def test_site_name_suffixes_are_stripped(
    title: str, site: str | None, url: str | None, expected: str
) -> None:
    assert clean_title(title, site, url) == expected


def test_html_entities_in_jsonld_are_decoded() -> None:
    head = jsonld({"@type": "NewsArticle", "headline": "&#8216;Light&#8217; festival &amp; more"})
    assert extract_metadata(tree(head)).title == "‘Light’ festival & more"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By TOM KRISHER, AP Auto Writer", ("Tom Krisher",)),
        ("Analysis by Chris Cillizza, CNN Editor-at-large", ("Chris Cillizza",)),
        ("Finian Cunningham. Sputnik International", ("Finian Cunningham",)),
        ("Sarah E. Needleman", ("Sarah E. Needleman",)),
        ("J.K. Rowling and SHAUN O'NEIL", ("J.K. Rowling", "Shaun O'Neil")),
        ("The Associated Press", ()),
        ("News Nation Bureau", ()),
        ("CNN Wire", ()),
    ],
)
def test_authors_are_people(byline: str, expected: tuple[str, ...]) -> None:
    head = f'<meta name="author" content="{byline}">'
    assert extract_metadata(tree(head)).authors == expected


# Real pages, chosen by the signals they carry ---------------------------------------------------


@cache
def _aeb_pages(corpus: Path) -> tuple[tuple[str, bytes], ...]:
    truth = json.loads((corpus / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    return tuple(
        (
            truth[key]["url"],
            gzip.decompress((corpus / "aeb" / "html" / f"{key}.html.gz").read_bytes()),
        )
        for key in sorted(truth)
    )


@cache
def _aeb_parsed(corpus: Path) -> tuple[tuple[PageSignals, object], ...]:
    found = []
    for url, raw in _aeb_pages(corpus):
        signals = PageSignals.from_tree(load_html(raw.decode("utf-8", "replace")), url)
        found.append((signals, parse_bytes(raw, url=url, content_type="text/html")))
    return tuple(found)


def _jsonld_has(signals: PageSignals, key: str) -> bool:
    return any(obj.get(key) for obj in signals.articles())


def test_aeb_modified_time_meta_is_read_with_its_offset(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        meta = signals.first_meta("article:modified_time")
        if meta and normalise_date(meta) and not _jsonld_has(signals, "dateModified"):
            assert article.modified == normalise_date(meta)
            checked += 1
    assert checked >= 5


def test_aeb_article_tags_are_the_tags(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        values = signals.meta.get("article:tag", ())
        tags = [" ".join(html.unescape(t).split()) for t in values if ":" not in t and t[0] != "@"]
        if len(values) >= 2 and tags:
            assert {t.casefold() for t in article.tags} == {t.casefold() for t in tags}
            checked += 1
    assert checked >= 5


def test_aeb_og_image_is_the_lead_image(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        image = signals.first_meta("og:image")
        if image and image.startswith("https://"):
            assert article.image == image
            checked += 1
    assert checked >= 50


def test_aeb_section_meta_is_the_section_without_jsonld(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        section = signals.first_meta("article:section")
        if section and not _jsonld_has(signals, "articleSection"):
            assert article.section == " ".join(section.split())
            checked += 1
    assert checked >= 5


def test_aeb_titles_do_not_end_with_the_site_name(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        site = signals.first_meta("og:site_name")
        if site and article.title:
            for separator in (" | ", " - ", " – ", " — "):
                assert not article.title.casefold().endswith((separator + site).casefold())
            checked += 1
    assert checked >= 100


def test_aeb_visible_headline_is_taken_over_a_suffixed_og_title(corpus: Path) -> None:
    checked = 0
    for signals, article in _aeb_parsed(corpus):
        h1s = signals.tree.xpath(".//h1")
        og = signals.first_meta("og:title") or ""
        h1 = " ".join(h1s[0].text_content().split()) if len(h1s) == 1 else ""
        if h1 and len(h1.split()) > 2 and og.startswith(h1 + " | "):
            assert article.title == h1
            checked += 1
    assert checked >= 3


def test_aeb_authors_are_people(corpus: Path) -> None:
    organisations = ("press", "staff", "reuters", "bureau", "news", "editor", "writer")
    named = 0
    for _, article in _aeb_parsed(corpus):
        for author in article.authors:
            assert not any(word in author.casefold().split() for word in organisations), author
            assert not author.isupper() and len(author.split()) >= 2, author
            named += 1
    assert named >= 100
