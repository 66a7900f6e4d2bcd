"""Connecting to the DuckDB warehouse and bringing its schema up to date.

DuckDB lets one process hold the file read-write; while it does, nobody else can open it, not even
read-only. So connections here are short, and opening waits a little for a lock to go away before
giving up with `WarehouseLockedError` (transient: the caller may retry later without losing data).

The lock protocol (docs/operations.md): writers hold the file for one batch at a time (well under a
second), so a reader waits at most `LOCK_WAIT_SECONDS`; a writer waits `WRITE_WAIT_SECONDS` and then
stages its batch on disk (warehouse/staging.py) for the next writer to merge, never failing a run.

The warehouse may also be a DuckLake (warehouse/lake.py): `connect` then gives a connection on
which the same queries run, with no lock to wait for; `transaction` retries a batch whose commit
lost to a concurrent writer.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

from schemas.errors import LoadError, WarehouseLockedError, WarehouseMissingError
from warehouse import lake
from warehouse.location import (
    DEFAULT_WAREHOUSE,
    WarehouseLocation,
    default_warehouse,
    warehouse_location,
)

__all__ = [
    "DEFAULT_WAREHOUSE",
    "LOCK_WAIT_SECONDS",
    "SCHEMA_MIGRATIONS_DDL",
    "WRITE_WAIT_SECONDS",
    "WarehouseLocation",
    "connect",
    "default_warehouse",
    "is_lake",
    "migrate",
    "migrations",
    "transaction",
    "warehouse_location",
]

T = TypeVar("T")
_log = logging.getLogger(__name__)
# How long a reader (or an explicit writer such as `newsflow sql --write`) waits for the lock.
LOCK_WAIT_SECONDS = 5.0
# How long a pipeline writer waits before staging its batch instead (see warehouse/staging.py).
WRITE_WAIT_SECONDS = 3.0
# How often a lake transaction that lost to a concurrent commit is run again, and the first pause
# (doubled each time, up to a second, with full jitter so that two losers do not collide again).
LAKE_ATTEMPTS = 12
LAKE_RETRY_SECONDS = 0.05

SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
)


def is_lake(warehouse: WarehouseLocation | Path | str | None) -> bool:
    """Whether `warehouse` (a location string, or the default) names a DuckLake."""
    return warehouse_location(warehouse).is_lake


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
    path: WarehouseLocation | Path | str | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    checkpoint: bool = True,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; a writer's connection has every migration applied.

    `path` is a DuckDB file or a DuckLake attach string (see warehouse/location.py); on a lake
    nothing is locked, so `wait_seconds` does not apply. A file's writer leaves what it committed
    in the write-ahead log, not checkpointed into the file when it closes, unless `checkpoint`.
    """
    location = warehouse_location(path)
    if location.is_lake:
        with _connect_lake(location, read_only) as con:
            yield con
        return
    path = location.path
    if read_only and not path.exists():
        raise WarehouseMissingError(lake.NO_WAREHOUSE_YET, url=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, wait_seconds)
    try:
        if not read_only:
            migrate(con)
            if not checkpoint:
                # A checkpoint rewrites the last row group of articles and of claims, text and
                # all, so one per chunk cost more the more the file held (bench/load_growth.py).
                # Committed work is durable in the log; DuckDB checkpoints it once the log passes
                # `checkpoint_threshold` (16 MB), and any connection that checkpoints at close.
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
        yield con
    finally:
        con.close()


# A lake's writer connections are migrated once per process (the instance is kept, see lake.py).
_migrated_lakes: set[str] = set()


@contextmanager
def _connect_lake(
    location: WarehouseLocation, read_only: bool
) -> Iterator[duckdb.DuckDBPyConnection]:
    con = lake.open_lake(location, read_only=read_only)
    try:
        if not read_only and location.text not in _migrated_lakes:
            try:
                migrate(con)
            except duckdb.Error as error:
                raise LoadError(f"cannot migrate lake: {error}", url=location.redacted) from error
            _migrated_lakes.add(location.text)
        yield con
    finally:
        con.close()


def transaction(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    *,
    attempts: int = LAKE_ATTEMPTS,
) -> T:
    """Run `work(con)` in one transaction and commit; roll back on any error.

    On a lake, a transaction that lost to a concurrent commit (see `lake.is_conflict`) runs again
    from the start, so `work` must only read and write through `con`. A DuckDB file never raises
    such a conflict (one process holds it), so there this is one plain transaction.
    """
    for attempt in range(1, attempts + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            result = work(con)
            con.execute("COMMIT")
            return result
        except BaseException as error:
            _rollback(con)
            if attempt == attempts or not lake.is_conflict(error):
                raise
            _log.info("lake commit lost to a concurrent writer, attempt %d: %s", attempt, error)
        pause = min(LAKE_RETRY_SECONDS * 2 ** (attempt - 1), 1.0)
        time.sleep(random.uniform(0, pause))
    raise AssertionError("unreachable")  # pragma: no cover


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed COMMIT has already ended the transaction: nothing to roll back then.
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in `schema_migrations`; return their versions.

    On a lake each migration goes through `lake.lake_ddl` (no key constraints); two processes
    migrating one lake at once conflict on commit, and the one that retries finds it done.
    """
    ddl = lake.lake_ddl if lake.is_lake_connection(con) else _unchanged
    transaction(con, lambda c: c.execute(ddl(SCHEMA_MIGRATIONS_DDL)))
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue

        def apply(c: duckdb.DuckDBPyConnection, version=version, name=name, sql=sql) -> bool:
            found = c.execute("SELECT 1 FROM schema_migrations WHERE version = ?", [version])
            if found.fetchone():
                return False  # applied meanwhile by another process
            documented = _comments(c)
            c.execute(ddl(sql))
            _restore_comments(c, documented)
            c.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).replace(tzinfo=None)],
            )
            return True

        if transaction(con, apply):
            applied.append(version)
    return applied


def _unchanged(sql: str) -> str:
    return sql


# (table, column) → its comment; column None for the table's own.
Comments = dict[tuple[str, str | None], str]
_HERE = "database_name = current_database() AND schema_name = current_schema()"


def _comments(con: duckdb.DuckDBPyConnection) -> Comments:
    """The comments on the current schema's tables and their columns."""
    found = con.execute(
        f"SELECT table_name, NULL, comment FROM duckdb_tables() WHERE {_HERE} AND comment <> ''"
        " UNION ALL SELECT table_name, column_name, comment FROM duckdb_columns()"
        f" WHERE {_HERE} AND comment <> ''"
    ).fetchall()
    return {(table, column): comment for table, column, comment in found}


def _restore_comments(con: duckdb.DuckDBPyConnection, before: Comments) -> None:
    """Put back the comments a migration dropped by rebuilding a table under its own name (DuckDB
    cannot drop a constraint, only rebuild the table), so each comment is written once, in the
    migration that added its column."""
    after = _comments(con)
    columns = con.execute(f"SELECT table_name, column_name FROM duckdb_columns() WHERE {_HERE}")
    present = set(columns.fetchall())
    present |= {(table, None) for table, _ in present}
    for (table, column), comment in before.items():
        if (table, column) in after or (table, column) not in present:
            continue
        target = f'TABLE "{table}"' if column is None else f'COLUMN "{table}"."{column}"'
        text = comment.replace("'", "''")
        con.execute(f"COMMENT ON {target} IS '{text}'")
