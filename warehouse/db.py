"""Connecting to the DuckDB warehouse and bringing its schema up to date.

DuckDB lets one process hold the file read-write; while it does, nobody else can open it, not even
read-only. So connections here are short, and opening waits a little for a lock to go away before
giving up with `WarehouseLockedError` (transient: the caller may retry later without losing data).

The lock protocol (docs/operations.md): writers hold the file for one batch at a time (well under a
second), so a reader waits at most `LOCK_WAIT_SECONDS`; a writer waits `WRITE_WAIT_SECONDS` and then
stages its batch on disk (warehouse/staging.py) for the next writer to merge, never failing a run.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from schemas.errors import LoadError, WarehouseLockedError

DEFAULT_WAREHOUSE = Path("warehouse") / "newsflow.duckdb"
# How long a reader (or an explicit writer such as `newsflow sql --write`) waits for the lock.
LOCK_WAIT_SECONDS = 5.0
# How long a pipeline writer waits before staging its batch instead (see warehouse/staging.py).
WRITE_WAIT_SECONDS = 3.0


def default_warehouse() -> Path:
    """`$NEWSFLOW_WAREHOUSE`, else warehouse/newsflow.duckdb in the working directory."""
    return Path(os.environ.get("NEWSFLOW_WAREHOUSE") or DEFAULT_WAREHOUSE)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration in schemas/migrations, in order."""
    found = []
    for item in resources.files("schemas").joinpath("migrations").iterdir():
        if item.name.endswith(".sql"):
            number, _, rest = item.name.partition("_")
            found.append((int(number), rest.removesuffix(".sql"), item.read_text(encoding="utf-8")))
    return sorted(found)


def _is_lock_error(error: duckdb.Error) -> bool:
    message = str(error).lower()
    return "lock" in message or "conflicting" in message


def _open(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            if not _is_lock_error(error):
                raise LoadError(f"cannot open warehouse: {error}", url=str(path)) from error
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"warehouse is locked by another process (waited {wait_seconds:.0f}s)",
                    url=str(path),
                ) from error
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 1.0)


@contextmanager
def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; a writer's connection has every migration applied."""
    path = Path(path) if path else default_warehouse()
    if read_only and not path.exists():
        raise LoadError("no warehouse yet: run `newsflow ingest` first", url=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, wait_seconds)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in `schema_migrations`; return their versions."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
