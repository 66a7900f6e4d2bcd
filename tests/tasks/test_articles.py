"""The batch step parse → extract: failures logged, duplicates marked and not extracted again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

import tasks.articles
import tasks.extract
from schemas.ids import article_id
from schemas.records import ArticleRecord, Document, ParsedArticle
from tasks.articles import articles_from_documents, mark_duplicates
from tasks.dedupe import DuplicateIndex

WIRE = (
    "The foreign minister said on Tuesday that talks with the neighbouring government would "
    "resume next month in Geneva, after a pause of almost a year caused by the border dispute.",
    '"We are ready to meet them halfway," the minister told reporters in the capital, adding '
    "that both delegations had agreed on an agenda covering trade, water rights and transit.",
    "Officials from the neighbouring government did not respond to requests for comment, but "
    "its state broadcaster reported that a delegation had been named earlier in the week.",
)
LOCAL = (
    "Heavy rain flooded roads across the northern valley overnight, and the regional government "
    "opened emergency shelters in three towns as rivers rose past their warning levels.",
    "Forecasters expect more rain through Thursday, and schools in the area will stay closed "
    "while crews clear mud and fallen trees from the main routes into the valley.",
)


def html(paragraphs: Sequence[str], *, title: str, head: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def doc(url: str, content: bytes) -> Document:
    return Document(
        source="test",
        url=url,
        final_url=url,
        content=content,
        content_type="text/html",
        status=200,
        fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
    )


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs of the articles handed to the NLP step, in order."""
    seen: list[str] = []
    real = tasks.extract.extract_articles

    def recording(articles: Sequence[ParsedArticle]) -> list[ArticleRecord]:
        seen.extend(article.url or "" for article in articles)
        return real(articles)

    # tasks.articles imports the stage when it runs (its caller, the ingest process, never does)
    monkeypatch.setattr(tasks.extract, "extract_articles", recording)
    return seen


def test_without_an_index_every_article_is_extracted(extracted: list[str]) -> None:
    docs = [
        doc("https://a.example/talks", html(WIRE, title="Talks to resume")),
        doc("https://b.example/talks", html(WIRE, title="Talks to resume")),
        doc("https://a.example/broken", b"\x89PNG\r\n\x1a\n\x00\x00" * 30),
    ]
    records, failures = articles_from_documents(docs)
    assert [r.url for r in records] == ["https://a.example/talks", "https://b.example/talks"]
    assert all(r.dup_of is None and r.claims for r in records)
    assert extracted == [r.url for r in records]
    assert [f.url for f in failures] == ["https://a.example/broken"]
    assert records[0].fetched_at == docs[0].fetched_at


def test_copies_in_one_batch_point_at_the_first_and_are_not_extracted(
    extracted: list[str],
) -> None:
    first = "https://a.example/world/talks"
    wire_copy = ("GENEVA (Wire) — " + WIRE[0], WIRE[1], WIRE[2] + " More to follow.")
    docs = [
        doc(first, html(WIRE, title="Talks to resume")),
        doc("https://b.example/talks", html(wire_copy, title="Talks resume | B News")),
        doc("https://c.example/floods", html(LOCAL, title="Floods in the valley")),
        doc("https://www.a.example/world/talks/?utm_source=rss", html(LOCAL, title="Changed")),
    ]
    records, failures = articles_from_documents(docs, duplicates=DuplicateIndex())
    assert not failures
    by_url = {record.url: record for record in records}
    assert [r.url for r in records] == [d.url for d in docs]
    assert by_url[first].dup_of is None and by_url[first].claims
    for url in ("https://b.example/talks", "https://www.a.example/world/talks/?utm_source=rss"):
        assert by_url[url].dup_of == article_id(first)
        assert by_url[url].claims == () and by_url[url].events == ()
        assert by_url[url].text  # stays queryable
    assert by_url["https://c.example/floods"].dup_of is None
    assert extracted == [first, "https://c.example/floods"]


def test_an_index_seeded_from_earlier_articles_marks_a_later_batch(extracted: list[str]) -> None:
    stored = "https://a.example/world/talks"
    index = DuplicateIndex.from_rows([(article_id(stored), stored, "\n".join(WIRE))])
    docs = [doc("https://b.example/talks", html(WIRE, title="Talks"))]
    records, _ = articles_from_documents(docs, duplicates=index)
    assert records[0].dup_of == article_id(stored)
    assert extracted == []


def test_fetching_an_article_again_is_not_a_duplicate_of_itself() -> None:
    url = "https://a.example/world/talks"
    index = DuplicateIndex.from_rows([(article_id(url), url, "\n".join(WIRE))])
    article = ParsedArticle(url=url, text="\n".join(WIRE) + "\nUpdated with reaction.")
    assert mark_duplicates([article], index) == {}


def test_a_canonical_link_to_the_home_page_is_not_believed() -> None:
    articles = [
        ParsedArticle(url=f"https://a.example/{slug}", canonical_url="https://a.example/", text=t)
        for slug, t in (("talks", "\n".join(WIRE)), ("floods", "\n".join(LOCAL)))
    ]
    assert mark_duplicates(articles, DuplicateIndex()) == {}


def test_a_shared_canonical_link_makes_a_duplicate() -> None:
    canonical = "https://wire.example/story/123"
    articles = [
        ParsedArticle(url="https://a.example/x", canonical_url=canonical, text="\n".join(WIRE)),
        ParsedArticle(url="https://b.example/y", canonical_url=canonical, text="\n".join(LOCAL)),
        ParsedArticle(url="https://c.example/z", text="\n".join(LOCAL)),
    ]
    repeats = mark_duplicates(articles, DuplicateIndex())
    first = article_id("https://a.example/x")
    assert repeats == {"https://b.example/y": first, "https://c.example/z": first}
