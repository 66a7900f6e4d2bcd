"""Staged batches: what a writer keeps on disk when it cannot have the warehouse's write lock.

DuckDB lets one process hold the file read-write, and while an analyst has it open (the DuckDB CLI,
a notebook, `newsflow sql --write`) nobody else can write it. A scheduled run must not lose its work
nor fail for that, so `load_batch` waits briefly and then stages the batch here instead:

    <warehouse dir>/staging/<warehouse name>/<UTC time>-<pid>-<uuid>.json.gz

Each file is one batch (its articles with everything extracted, its fetch log, the run id and the
extractor and parser versions), written to a `.tmp` name and renamed, so a reader never sees half a
file. The records are staged, not table rows, so that a staged batch is loaded by the same code as a
fresh one (`warehouse.load`), which decides at merge time what is new, what replaces what.

The next writer that gets the lock merges every staged batch first, oldest first, each in its own
transaction, and deletes the file while it still holds the lock. Merging is idempotent (ids are
stable hashes, fetch-log ids too), so a crash between commit and delete only repeats a no-op.

A DuckLake has no lock, hence nothing staged: its batches load directly, a commit that lost to a
concurrent writer is retried (`warehouse.db.transaction`), and the keys the batch wrote are then
checked for copies that a concurrent writer inserted at the same time (`lake.remove_duplicates`).
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from pydantic import ValidationError

from schemas.errors import LoadError, WarehouseLockedError
from schemas.records import ArticleRecord, FetchLogRecord
from warehouse.db import (
    WRITE_WAIT_SECONDS,
    WarehouseLocation,
    connect,
    transaction,
    warehouse_location,
)
from warehouse.load import LoadResult, Written, _load, fold_copies
from warehouse.runs import upsert_run

__all__ = [
    "LoadOutcome",
    "StagedBatch",
    "load_or_stage",
    "merge_staged",
    "read_staged",
    "stage_batch",
    "staged_files",
    "staged_urls",
    "staging_dir",
]

_SUFFIX = ".json.gz"
# A `.tmp` file older than this was left by a writer that died while staging: safe to delete.
_ABANDONED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class StagedBatch:
    """One batch that could not be loaded when it was made."""

    records: list[ArticleRecord]
    fetch_log: list[FetchLogRecord]
    run_id: str | None = None
    extractor_version: str | None = None
    parser_version: str | None = None
    # A `runs` row (see warehouse.runs.run_row) written in the same transaction, when given.
    run: dict[str, Any] | None = None


@dataclass(frozen=True)
class LoadOutcome:
    """What became of a batch: loaded (with its counts) or staged (in `staged`)."""

    result: LoadResult
    staged: Path | None = None
    merged: int = 0  # staged batches of earlier runs merged first


def load_or_stage(
    warehouse: WarehouseLocation | Path | str | None,
    batch: StagedBatch,
    *,
    wait_seconds: float = WRITE_WAIT_SECONDS,
    checkpoint: bool = True,
) -> LoadOutcome:
    """Load `batch` in one transaction after merging what was staged; stage it when locked.

    A lake is never locked: there the batch is loaded (or LoadError), never staged. Without
    `checkpoint`, the file keeps the batch in its write-ahead log (see `warehouse.db.connect`)."""
    location = warehouse_location(warehouse)
    if location.is_lake:
        with connect(location) as con:
            return LoadOutcome(_transaction(con, batch, location))
    try:
        with connect(location, wait_seconds=wait_seconds, checkpoint=checkpoint) as con:
            merged = merge_staged(con, location)
            return LoadOutcome(_transaction(con, batch, location), merged=merged)
    except WarehouseLockedError:
        return LoadOutcome(LoadResult(), staged=stage_batch(location, batch))


def merge_staged(con: duckdb.DuckDBPyConnection, warehouse: WarehouseLocation | Path | str) -> int:
    """Load every staged batch of `warehouse` through `con` (which holds the write lock).

    A file is deleted only after its transaction committed, and while the lock is still held,
    so no other writer can merge it twice; an unreadable one is moved aside to `rejected/`.
    """
    merged = 0
    for path in staged_files(warehouse):
        try:
            batch = read_staged(path)
        except LoadError:
            _reject(path)
            continue
        _transaction(con, batch, warehouse)
        path.unlink(missing_ok=True)
        merged += 1
    return merged


def _transaction(
    con: duckdb.DuckDBPyConnection, batch: StagedBatch, warehouse: WarehouseLocation | Path | str
) -> LoadResult:
    """`batch` in one transaction (run again if it lost to a concurrent lake commit)."""
    location = warehouse_location(warehouse)
    written: Written = {}

    def work(c: duckdb.DuckDBPyConnection) -> LoadResult:
        written.clear()  # a retried attempt writes afresh
        result = LoadResult()
        if batch.records or batch.fetch_log:
            result = _load(
                c,
                batch.records,
                batch.fetch_log,
                batch.run_id,
                batch.extractor_version,
                batch.parser_version,
                written if location.is_lake else None,
            )
        if batch.run is not None:
            upsert_run(c, batch.run)
        return result

    try:
        result = transaction(con, work)
        if written:
            fold_copies(con, written)
    except duckdb.Error as error:
        raise LoadError(f"batch not loaded: {error}", url=location.redacted) from error
    return result


def _reject(path: Path) -> None:
    rejected = path.parent / "rejected"
    rejected.mkdir(exist_ok=True)
    os.replace(path, rejected / path.name)


def staging_dir(warehouse: WarehouseLocation | Path | str) -> Path:
    """Where batches for `warehouse` are staged (one folder per warehouse file)."""
    location = warehouse_location(warehouse)
    return location.parent / "staging" / location.stem


def stage_batch(warehouse: WarehouseLocation | Path | str, batch: StagedBatch) -> Path:
    """Write `batch` atomically under `staging_dir(warehouse)`; return the file's path."""
    folder = staging_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:12]}{_SUFFIX}"
    temporary = path.with_name(path.name + ".tmp")
    payload = {
        "run_id": batch.run_id,
        "extractor_version": batch.extractor_version,
        "parser_version": batch.parser_version,
        "records": [record.model_dump(mode="json") for record in batch.records],
        "fetch_log": [record.model_dump(mode="json") for record in batch.fetch_log],
        "run": batch.run,
    }
    with gzip.open(temporary, "wt", encoding="utf-8") as stream:
        json.dump(payload, stream, ensure_ascii=False)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)  # atomic: the batch is either fully there or not at all
    return path


def staged_files(warehouse: WarehouseLocation | Path | str) -> list[Path]:
    """Staged batches of `warehouse`, oldest first (file names start with their UTC time);
    none for a lake, which stages nothing."""
    if warehouse_location(warehouse).is_lake:
        return []
    folder = staging_dir(warehouse)
    if not folder.is_dir():
        return []
    _remove_abandoned(folder)
    return sorted(folder.glob(f"*{_SUFFIX}"))


def read_staged(path: Path) -> StagedBatch:
    """The batch in a staged file; LoadError when the file is not one."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            payload = json.load(stream)
        return StagedBatch(
            # Through JSON validation, so that bytes fields come back from their base64 form.
            records=[ArticleRecord.model_validate_json(json.dumps(r)) for r in payload["records"]],
            fetch_log=[FetchLogRecord.model_validate(r) for r in payload["fetch_log"]],
            run_id=payload.get("run_id"),
            extractor_version=payload.get("extractor_version"),
            parser_version=payload.get("parser_version"),
            run=payload.get("run"),
        )
    except (OSError, EOFError, ValueError, KeyError, TypeError, ValidationError) as error:
        raise LoadError(f"unreadable staged batch: {error}", url=str(path)) from error


def staged_urls(warehouse: WarehouseLocation | Path | str) -> set[str]:
    """URLs of the articles waiting in staged batches: known, so not fetched again meanwhile."""
    urls: set[str] = set()
    for path in staged_files(warehouse):
        try:
            urls.update(record.url for record in read_staged(path).records if record.url)
        except LoadError:
            continue
    return urls


def _remove_abandoned(folder: Path) -> None:
    cutoff = datetime.now(UTC) - _ABANDONED_AFTER
    for leftover in folder.glob("*.tmp"):
        try:
            if datetime.fromtimestamp(leftover.stat().st_mtime, UTC) < cutoff:
                leftover.unlink()
        except OSError:
            continue  # another writer removed it first
