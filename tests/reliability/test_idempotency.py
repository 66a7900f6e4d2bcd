"""Idempotency: the same corpus ingested three times leaves the same rows as ingesting it once."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import ingest
from tests.reliability.conftest import SiteFactory, duplicates, holdings


def test_three_ingests_of_one_corpus_store_it_once(
    loopback_news: SiteFactory, warehouse_path: Path, prefect_server: None
) -> None:
    news = loopback_news(8, feeds=2)
    summaries = [ingest(str(news.sources), str(warehouse_path)) for _ in range(3)]
    first = holdings(warehouse_path)
    assert first.counts["articles"] >= 6, "most AEB pages are articles"
    assert first.counts["claims"] > 0 and first.counts["events"] > 0
    for summary in summaries[1:]:
        assert (summary["new_articles"], summary["claims"], summary["events"]) == (0, 0, 0)
    assert duplicates(warehouse_path) == {}
    # the later runs fetched the feeds only: not one page was requested twice
    assert {news.site.hits[path] for path in news.site.page_paths()} == {1}
    assert {news.site.hits[path] for path in news.site.feed_paths()} == {3}


def test_rows_stay_the_same_after_the_first_run(
    loopback_news: SiteFactory, warehouse_path: Path, prefect_server: None
) -> None:
    news = loopback_news(6, feeds=1, first=20)
    after = []
    for _ in range(3):
        ingest(str(news.sources), str(warehouse_path))
        after.append(holdings(warehouse_path))
    assert after[0].counts["articles"] > 0
    assert after[1] == after[0]
    assert after[2] == after[0]
