from __future__ import annotations

from datetime import date

import pytest

from schemas.errors import QueryError
from tests.factories import make_article
from warehouse.load import load_batch
from warehouse.search import refresh, search, snippet


def test_article_search_ranks_the_article_about_it_first(examples_warehouse):
    hits = search(examples_warehouse, "South China Sea")
    assert hits and "us-japan-talks-london" in hits[0].url
    assert "China" in hits[0].snippet
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_claim_search_finds_speakers_and_stems_words(examples_warehouse):
    hits = search(examples_warehouse, "agreeing trade", claims=True)  # stemmed: agree, trade
    assert hits
    assert all(h.kind == "claim" and h.speaker for h in hits)


def test_since_filters_by_publication_date(examples_warehouse):
    assert search(examples_warehouse, "talks", since=date(2030, 1, 1)) == []
    recent = search(examples_warehouse, "talks", since=date(2024, 1, 1))
    assert recent and all(h.published_at.year >= 2024 for h in recent)


def test_a_warehouse_without_index_says_what_to_do(warehouse_path):
    load_batch(warehouse_path, [make_article()])
    with pytest.raises(QueryError, match="newsflow ingest"):
        search(warehouse_path, "Oslo")
    refresh(warehouse_path)
    assert search(warehouse_path, "Oslo")


def test_snippet_centres_on_the_first_match():
    text = "word " * 100 + "Hawaii meeting " + "word " * 100
    assert "Hawaii" in snippet(text, "hawaii")
    assert snippet("short text", "absent") == "short text"
