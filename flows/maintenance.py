"""The daily maintenance flow: merge staged batches, prune the fetch log, refresh the full-text
index, checkpoint the file, and (when asked) prune WARC files no article needs.

Compaction is DuckDB's CHECKPOINT, which folds the write-ahead log into the file and frees the
blocks of deleted rows for reuse. The file is never rewritten and swapped: a process that opened
the old file in between would write into a file nobody reads any more.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.states import Completed

from schemas.errors import NewsflowError
from warehouse.db import connect, default_warehouse
from warehouse.runs import RunSummary, run_row
from warehouse.search import refresh_search_index
from warehouse.staging import StagedBatch, load_or_stage, merge_staged

__all__ = ["MaintenanceReport", "maintain", "maintenance"]

KEEP_FETCH_LOG_DAYS = 90


@dataclass(frozen=True)
class MaintenanceReport:
    merged_batches: int
    pruned_fetch_log: int
    search_index: str
    free_blocks: int
    total_blocks: int
    removed_warc_files: int

    def markdown(self) -> str:
        return "\n".join(
            [
                "# maintenance",
                "",
                f"- staged batches merged: {self.merged_batches}",
                f"- fetch_log rows pruned: {self.pruned_fetch_log}",
                f"- full-text index: {self.search_index}",
                f"- file blocks free for reuse after checkpoint: {self.free_blocks}"
                f" of {self.total_blocks}",
                f"- unreferenced WARC files removed: {self.removed_warc_files}",
            ]
        )


def _refresh_search(con: duckdb.DuckDBPyConnection) -> str:
    try:
        refresh_search_index(con)
    except duckdb.Error as error:  # e.g. the fts extension is not installed: report, go on
        return f"not refreshed ({error})"
    return "refreshed"


def _prune_warc(con: duckdb.DuckDBPyConnection, folder: Path, older_than: timedelta) -> int:
    """Remove WARC files older than `older_than` that no article's warc_record points into."""
    if not folder.is_dir():
        return 0
    referenced = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT split_part(warc_record, '#', 1) FROM articles"
            " WHERE warc_record IS NOT NULL"
        ).fetchall()
    }
    cutoff = datetime.now(UTC) - older_than
    removed = 0
    for path in folder.glob("*.warc.gz"):
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if str(path) not in referenced and modified < cutoff:
            path.unlink()
            removed += 1
    return removed


def maintain(
    warehouse: Path,
    *,
    keep_fetch_log_days: int = KEEP_FETCH_LOG_DAYS,
    prune_warc_days: int | None = None,
) -> MaintenanceReport:
    """Do the maintenance on `warehouse`, holding its write lock for the whole of it."""
    cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=keep_fetch_log_days)
    with connect(warehouse) as con:
        merged = merge_staged(con, warehouse)
        pruned = con.execute("DELETE FROM fetch_log WHERE fetched_at < ?", [cutoff]).fetchone()
        search = _refresh_search(con)
        warc = 0
        if prune_warc_days is not None:
            warc = _prune_warc(con, warehouse.parent / "warc", timedelta(days=prune_warc_days))
        con.execute("CHECKPOINT")
        free, total = con.execute(
            "SELECT free_blocks, total_blocks FROM pragma_database_size()"
        ).fetchone() or (0, 0)
    return MaintenanceReport(merged, pruned[0] if pruned else 0, search, free, total, warc)


@flow(name="maintenance", log_prints=True)
def maintenance(
    warehouse: str | None = None,
    keep_fetch_log_days: int = KEEP_FETCH_LOG_DAYS,
    prune_warc_days: int | None = None,
) -> Any:
    """Daily upkeep of the warehouse (see the module docstring)."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    target = Path(warehouse) if warehouse else default_warehouse()
    try:
        report = maintain(
            target, keep_fetch_log_days=keep_fetch_log_days, prune_warc_days=prune_warc_days
        )
    except NewsflowError as error:
        logger.error("maintenance failed: %s", error)
        raise
    message = f"{report.pruned_fetch_log} fetch_log rows pruned, index {report.search_index}"
    summary = RunSummary.from_results(
        str(flow_run.get_id() or uuid.uuid4()), started, [], flow="maintenance", message=message
    )
    load_or_stage(target, StagedBatch([], [], run=run_row(summary)))
    create_markdown_artifact(report.markdown(), key="maintenance-summary")
    logger.info("maintenance: %s", message)
    return Completed(message=message, data=asdict(report))
