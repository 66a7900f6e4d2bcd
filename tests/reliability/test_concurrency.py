"""Concurrency: two ingest runs at once, and a reader holding the warehouse during a run.

Either way no row may be lost or stored twice. The reference is the same pages ingested alone.
A run that finds the warehouse held stages its batches (warehouse/staging.py); the next writer
merges them, so "not lost" is checked after one more run made while the news site is offline:
only what the held run staged can then reach the warehouse.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.ingest import ingest
from tests.reliability.conftest import (
    SiteFactory,
    duplicates,
    holdings,
    run_ingest,
    start_ingest,
)
from warehouse.db import connect


def _reference(sources: Path, root: Path) -> dict:
    path = root / "reference" / "warehouse" / "newsflow.duckdb"
    ingest(str(sources), str(path))
    reference = holdings(path)
    assert reference.counts["articles"] > 0
    return reference.per_article


def test_two_runs_at_once_store_every_article_once(
    loopback_news: SiteFactory, tmp_path: Path, warehouse_path: Path, ingest_env: dict[str, str]
) -> None:
    news = loopback_news(6, feeds=3, first=40)
    reference = _reference(news.sources, tmp_path)
    runs = [start_ingest(news.sources, warehouse_path, ingest_env) for _ in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [out[-2000:] for out in outputs]
    run_ingest(news.sources, warehouse_path, ingest_env)  # merges anything either run staged
    assert duplicates(warehouse_path) == {}
    assert holdings(warehouse_path).per_article == reference


def test_a_reader_holding_the_warehouse_through_a_run_costs_no_rows(
    loopback_news: SiteFactory, tmp_path: Path, warehouse_path: Path, ingest_env: dict[str, str]
) -> None:
    news = loopback_news(4, feeds=2, first=60)
    reference = _reference(news.sources, tmp_path)
    with connect(warehouse_path):
        pass  # an empty warehouse for the reader to open
    reader = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        run = start_ingest(news.sources, warehouse_path, ingest_env)
        output, _ = run.communicate(timeout=600)
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    finally:
        reader.close()
    assert run.returncode == 0, output[-3000:]
    news.site.offline = True  # from now on only staged batches can bring articles in
    # Every source fails now, so the run exits 1; its first write merges what was staged.
    start_ingest(news.sources, warehouse_path, ingest_env).communicate(timeout=600)
    assert duplicates(warehouse_path) == {}
    assert holdings(warehouse_path).per_article == reference
