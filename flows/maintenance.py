"""The daily maintenance flow: merge staged batches, prune the fetch log, refresh the full-text
index, checkpoint the file, and (when asked) prune WARC files no article needs.

Compaction is DuckDB's CHECKPOINT, which folds the write-ahead log into the file and frees the
blocks of deleted rows for reuse. The file is never rewritten and swapped: a process that opened
the old file in between would write into a file nobody reads any more.

On a lake (warehouse/lake.py) there is nothing staged and no index to rebuild; instead rows
inlined in the catalog are written out and small adjacent Parquet files merged
(`ducklake_merge_adjacent_files`), snapshots older than `keep_snapshots_days` expire and the files
only they used are deleted, and copies of a key that a writer left behind (one that died between
its commit and its duplicate check) are folded. Writers may go on meanwhile: each step is its own
transaction, retried when it loses to a concurrent commit.
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
from warehouse import lake
from warehouse.db import WarehouseLocation, connect, transaction, warehouse_location
from warehouse.load import DUPLICATE_MERGES
from warehouse.runs import RunSummary, run_row
from warehouse.search import refresh_search_index
from warehouse.staging import StagedBatch, load_or_stage, merge_staged

__all__ = ["LakeUpkeep", "MaintenanceReport", "maintain", "maintenance"]

KEEP_FETCH_LOG_DAYS = 90
# Time travel on a lake reaches this far back; older snapshots expire and their files go.
KEEP_SNAPSHOTS_DAYS = 7


@dataclass(frozen=True)
class LakeUpkeep:
    """What maintenance did to a lake's files and snapshots."""

    data_files_before: int = 0
    data_files_after: int = 0
    expired_snapshots: int = 0
    deleted_files: int = 0
    folded_duplicates: int = 0


@dataclass(frozen=True)
class MaintenanceReport:
    merged_batches: int
    pruned_fetch_log: int
    search_index: str
    free_blocks: int
    total_blocks: int
    removed_warc_files: int
    lake: LakeUpkeep | None = None

    def markdown(self) -> str:
        lines = [
            "# maintenance",
            "",
            f"- staged batches merged: {self.merged_batches}",
            f"- fetch_log rows pruned: {self.pruned_fetch_log}",
            f"- full-text index: {self.search_index}",
        ]
        if self.lake is None:
            lines.append(
                f"- file blocks free for reuse after checkpoint: {self.free_blocks}"
                f" of {self.total_blocks}"
            )
        else:
            upkeep = self.lake
            lines += [
                f"- lake data files: {upkeep.data_files_before} before compaction,"
                f" {upkeep.data_files_after} after",
                f"- snapshots expired: {upkeep.expired_snapshots},"
                f" old files deleted: {upkeep.deleted_files}",
                f"- duplicate rows folded: {upkeep.folded_duplicates}",
            ]
        lines.append(f"- unreferenced WARC files removed: {self.removed_warc_files}")
        return "\n".join(lines)


def _refresh_search(con: duckdb.DuckDBPyConnection) -> str:
    if lake.is_lake_connection(con):
        return "none to refresh (a lake ranks at query time)"
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
    warehouse: WarehouseLocation | Path | str | None,
    *,
    keep_fetch_log_days: int = KEEP_FETCH_LOG_DAYS,
    prune_warc_days: int | None = None,
    keep_snapshots_days: int = KEEP_SNAPSHOTS_DAYS,
) -> MaintenanceReport:
    """Do the maintenance on `warehouse`: a file holding its write lock for the whole of it;
    a lake step by step, while writers go on."""
    location = warehouse_location(warehouse)
    cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=keep_fetch_log_days)
    with connect(location) as con:
        merged = merge_staged(con, location)
        pruned = transaction(
            con,
            lambda c: c.execute("DELETE FROM fetch_log WHERE fetched_at < ?", [cutoff]).fetchone(),
        )
        search = _refresh_search(con)
        warc = 0
        if prune_warc_days is not None:
            warc = _prune_warc(con, location.parent / "warc", timedelta(days=prune_warc_days))
        if location.is_lake:
            upkeep = _lake_upkeep(con, timedelta(days=keep_snapshots_days))
            return MaintenanceReport(merged, pruned[0] if pruned else 0, search, 0, 0, warc, upkeep)
        con.execute("CHECKPOINT")
        free, total = con.execute(
            "SELECT free_blocks, total_blocks FROM pragma_database_size()"
        ).fetchone() or (0, 0)
    return MaintenanceReport(merged, pruned[0] if pruned else 0, search, free, total, warc)


def _lake_upkeep(con: duckdb.DuckDBPyConnection, keep_snapshots: timedelta) -> LakeUpkeep:
    folded = lake.remove_duplicates(con, None, DUPLICATE_MERGES)
    before = lake.data_file_count(con)
    transaction(con, lake.flush_inlined)
    transaction(con, lake.merge_files)
    after = lake.data_file_count(con)
    expired, deleted = transaction(con, lambda c: lake.expire_snapshots(c, keep_snapshots))
    return LakeUpkeep(before, after, expired, deleted, folded)


@flow(name="maintenance", log_prints=True)
def maintenance(
    warehouse: str | None = None,
    keep_fetch_log_days: int = KEEP_FETCH_LOG_DAYS,
    prune_warc_days: int | None = None,
    keep_snapshots_days: int = KEEP_SNAPSHOTS_DAYS,
) -> Any:
    """Daily upkeep of the warehouse (see the module docstring)."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    target = warehouse_location(warehouse)
    try:
        report = maintain(
            target,
            keep_fetch_log_days=keep_fetch_log_days,
            prune_warc_days=prune_warc_days,
            keep_snapshots_days=keep_snapshots_days,
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
