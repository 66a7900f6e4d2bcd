"""Maintenance and the run-quality report, as plain functions (no Prefect server needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.artifacts import source_table, summary_markdown
from flows.ingest import SourceResult
from flows.maintenance import maintain
from flows.quality import QualityCheck, QualityThresholds, check_quality
from schemas.records import FetchLogRecord
from tests.factories import make_article
from warehouse.load import load_batch
from warehouse.query import run_sql
from warehouse.runs import RunSummary
from warehouse.staging import StagedBatch, stage_batch, staged_files


def _log(url: str, days_ago: int) -> FetchLogRecord:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return FetchLogRecord(source="s", url=url, status=304, not_modified=True, fetched_at=when)


def test_maintenance_merges_staged_batches_and_prunes_the_old_fetch_log(warehouse_path):
    load_batch(warehouse_path, [], [_log("https://x.org/old", 200), _log("https://x.org/new", 1)])
    stage_batch(warehouse_path, StagedBatch([make_article()], []))

    report = maintain(warehouse_path, keep_fetch_log_days=90)

    assert report.merged_batches == 1 and staged_files(warehouse_path) == []
    assert report.pruned_fetch_log == 1
    assert run_sql(warehouse_path, "SELECT url FROM fetch_log").rows == [("https://x.org/new",)]
    assert run_sql(warehouse_path, "SELECT count(*) FROM articles").rows == [(1,)]


def test_a_quality_check_fails_only_past_its_threshold_and_minimum():
    assert QualityCheck("x", bad=3, total=10, threshold=0.2, min_rows=10).failed
    assert not QualityCheck("x", bad=2, total=10, threshold=0.2, min_rows=10).failed
    assert not QualityCheck("x", bad=5, total=5, threshold=0.2, min_rows=10).failed


def test_quality_checks_count_what_the_run_loaded(warehouse_path):
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    load_batch(warehouse_path, [make_article()])
    checks = {c.name: c for c in check_quality(warehouse_path, since, QualityThresholds())}
    assert (checks["claims without a source"].bad, checks["claims without a source"].total) == (
        0,
        1,
    )
    assert checks["events without a date"].total == 1
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    assert all(c.total == 0 for c in check_quality(warehouse_path, later))


def test_the_summary_names_the_slowest_sources_and_the_failures():
    fast = SourceResult("fast", new_articles=2, seconds=0.1, status="loaded")
    slow = SourceResult("slow", errors=1, seconds=3.0, status="failed", messages=["HTTP 500"])
    summary = RunSummary.from_results("r", datetime.now(UTC), [fast, slow], message="m")

    text = summary_markdown(summary, [fast, slow], [])
    table = source_table([fast, slow])

    assert text.index("- slow: 3.00 s") < text.index("- fast: 0.10 s")
    assert "- slow: HTTP 500" in text
    assert table[1] == {
        "source": "slow",
        "status": "failed",
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "seconds": 3.0,
        "first error": "HTTP 500",
    }
