"""The `ducklake` backend: the warehouse as a DuckLake (a catalog database + Parquet data files).

A lake is attached to an in-memory DuckDB as `lake` and made the default (`USE lake`), so every
query of newsflow runs on it unqualified, exactly as on a DuckDB file. What differs:

- Schema: DuckLake has no PRIMARY KEY, UNIQUE or index. The numbered migrations stay the one
  source of truth: `lake_ddl` drops their key constraints (and nothing else) before a lake runs
  them, and `table_keys` reads the same keys out of them for the loader, which keeps them by
  `MERGE INTO ... USING (key)` on both backends.
- Writers: several processes write at once; nothing is locked. DuckLake is optimistic: a commit
  that conflicts with one made meanwhile fails, and `warehouse.db.transaction` runs the whole
  batch again (bounded, jittered). Two inserts never conflict, so two writers can each insert the
  same new key (two batches naming the same new entity): after its commit a writer looks for
  copies of the keys it wrote and folds them into one (`remove_duplicates`); two writers folding
  the same copies conflict on the delete, and the retry finds nothing left to fold.
- A SQLite catalog is put in WAL mode before DuckLake creates it, so readers never block a commit.
- No file lock, hence no staging: a batch is loaded or it fails.
- Data files in an S3-compatible store (an `s3://` data path): the httpfs extension and a DuckDB
  S3 secret made from the usual environment variables (`s3_secret_options`), per instance.

The DuckDB instance with the lake attached is kept for the life of the process (attaching loads
three extensions and reads the catalog: half a second), and each `connect` is a cursor on it.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
from duckdb_extensions import import_extension

from schemas.errors import LoadError, WarehouseMissingError
from warehouse.location import WarehouseLocation

__all__ = [
    "LAKE",
    "S3_ENDPOINT_ENVS",
    "close_lakes",
    "data_file_count",
    "data_path",
    "expire_snapshots",
    "flush_inlined",
    "is_conflict",
    "is_lake_connection",
    "lake_ddl",
    "merge_files",
    "open_lake",
    "remove_duplicates",
    "s3_secret_options",
    "snapshot_count",
    "table_keys",
]

LAKE = "lake"
NO_WAREHOUSE_YET = "no warehouse yet: run `newsflow ingest` first"
# Extensions a lake needs, by catalog kind; each comes from its duckdb-extension-* package.
_CATALOG_EXTENSIONS = {"sqlite": "sqlite", "postgres": "postgres"}
# Messages of a commit that lost to a concurrent writer (worth running the transaction again).
_CONFLICT = re.compile(
    r"conflict|database is locked|failed to commit ducklake transaction|could not serialize",
    re.IGNORECASE,
)

_ATTACH_ATTEMPTS = 5
# Where an S3-compatible store other than AWS is (MinIO, Ceph, moto), first found wins:
# newsflow's own variable, then the ones the AWS SDKs read.
S3_ENDPOINT_ENVS = ("NEWSFLOW_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
# Variables that say this process may reach S3 (an existing lake's data path is only known once
# attached, and attaching a lake whose files are in S3 already needs httpfs loaded).
_S3_HINT_ENVS = (*S3_ENDPOINT_ENVS, "AWS_ACCESS_KEY_ID")
_S3_SCHEMES = ("s3://", "s3a://", "s3n://")  # what DuckDB's S3 secrets cover

_instances: dict[tuple[str, bool], duckdb.DuckDBPyConnection] = {}
_instances_lock = threading.Lock()


# --- attaching -------------------------------------------------------------------------------


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load `name`, installing it from its Python package the first time (no internet)."""
    try:
        con.execute(f"LOAD {name}")
    except duckdb.Error:
        import_extension(name, con=con)
        con.execute(f"LOAD {name}")


def open_lake(location: WarehouseLocation, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A new connection (cursor) on the process's instance with `location` attached as `lake`."""
    key = (location.text, read_only)
    with _instances_lock:
        instance = _instances.get(key)
        if instance is None:
            instance = _attach(location, read_only)
            _instances[key] = instance
    cursor = instance.cursor()
    cursor.execute(f"USE {LAKE}")
    return cursor


def close_lakes() -> None:
    """Close every lake this process attached (tests drop their catalog databases after)."""
    with _instances_lock:
        for instance in _instances.values():
            instance.close()
        _instances.clear()


def _attach(location: WarehouseLocation, read_only: bool) -> duckdb.DuckDBPyConnection:
    if location.kind not in _CATALOG_EXTENSIONS:
        raise LoadError(
            f"unsupported DuckLake catalog {location.kind!r}: use ducklake:sqlite:/path/catalog"
            ".sqlite or ducklake:postgres:dbname=... host=...",
            url=location.redacted,
        )
    if read_only and not location.exists():
        raise WarehouseMissingError(NO_WAREHOUSE_YET, url=location.redacted)
    con = duckdb.connect()
    try:
        load_extension(con, "ducklake")
        load_extension(con, _CATALOG_EXTENSIONS[location.kind])
        if _may_reach_s3(location):
            load_extension(con, "httpfs")
        if location.kind == "sqlite" and not read_only:
            _prepare_sqlite_catalog(location)
        _attach_with_retry(con, location, read_only)
        if data_path(con).startswith(_S3_SCHEMES):
            _create_s3_secret(con, os.environ)
    except duckdb.Error as error:
        con.close()
        raise _attach_error(location, error) from error
    except LoadError:
        con.close()
        raise
    return con


def _attach_with_retry(
    con: duckdb.DuckDBPyConnection, location: WarehouseLocation, read_only: bool
) -> None:
    """ATTACH; a new lake is created with its data path (DuckLake then keeps it in the
    catalog). Two processes creating one lake at once: the loser attaches what the winner made."""
    for attempt in range(_ATTACH_ATTEMPTS):
        try:
            con.execute(_attach_sql(location, read_only))
            return
        except duckdb.Error as error:
            if not read_only and "data_path is not set" in str(error):
                con.execute(_attach_sql(location, read_only, _new_data_path(location)))
                return
            if attempt + 1 == _ATTACH_ATTEMPTS or not is_conflict(error):
                raise
            time.sleep(random.uniform(0.05, 0.3))


def _attach_sql(location: WarehouseLocation, read_only: bool, data_path: str | None = None) -> str:
    options = ["READ_ONLY"] if read_only else []
    if data_path:
        options.append(f"DATA_PATH {_quote(data_path)}")
    suffix = f" ({', '.join(options)})" if options else ""
    return f"ATTACH {_quote(location.text)} AS {LAKE}{suffix}"


def _new_data_path(location: WarehouseLocation) -> str:
    data_path = location.data_path()
    if data_path is None:
        raise LoadError(
            "a new lake on a catalog server needs NEWSFLOW_LAKE_DATA_PATH"
            " (a folder that every writer reaches, or s3://bucket/prefix/)",
            url=location.redacted,
        )
    return data_path


def _prepare_sqlite_catalog(location: WarehouseLocation) -> None:
    """WAL mode, so a reader's open snapshot never makes a writer's commit fail."""
    location.path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(location.path, timeout=30) as catalog:
        catalog.execute("PRAGMA journal_mode=WAL")
    catalog.close()


def _attach_error(location: WarehouseLocation, error: duckdb.Error) -> LoadError:
    message = str(error)
    if "does not exist" in message and "creating a new DuckLake is explicitly disabled" in message:
        return WarehouseMissingError(NO_WAREHOUSE_YET, url=location.redacted)
    if "extension 'httpfs'" in message:  # an S3 lake, and no S3 setting in the environment
        return LoadError(
            "this lake keeps its data files in S3: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"
            f" and, for a store other than AWS, {S3_ENDPOINT_ENVS[0]} (docs/scaling.md)",
            url=location.redacted,
        )
    redacted = WarehouseLocation(message).redacted.replace(location.text, location.redacted)
    return LoadError(f"cannot open lake: {redacted}", url=location.redacted)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- data files in an S3-compatible store ----------------------------------------------------


def data_path(con: duckdb.DuckDBPyConnection) -> str:
    """Where the attached lake keeps its data files (as stored in its catalog)."""
    found = con.execute(
        f"SELECT value FROM ducklake_options('{LAKE}') WHERE option_name = 'data_path'"
    ).fetchone()
    return str(found[0]) if found else ""


def _may_reach_s3(location: WarehouseLocation) -> bool:
    new_path = location.data_path() or ""
    return new_path.startswith(_S3_SCHEMES) or any(os.environ.get(n) for n in _S3_HINT_ENVS)


def s3_secret_options(env: Mapping[str, str]) -> dict[str, str | bool]:
    """The options of a DuckDB S3 secret, from the variables the AWS tools read.

    With an endpoint (`http://127.0.0.1:9000`, `minio.internal:9000`), requests go to it with
    path-style URLs (what MinIO, Ceph and moto serve), over TLS unless its scheme is http.
    """
    options: dict[str, str | bool] = {}
    for option, names in (
        ("KEY_ID", ("AWS_ACCESS_KEY_ID",)),
        ("SECRET", ("AWS_SECRET_ACCESS_KEY",)),
        ("SESSION_TOKEN", ("AWS_SESSION_TOKEN",)),
        ("REGION", ("AWS_REGION", "AWS_DEFAULT_REGION")),
    ):
        value = next((env[n] for n in names if env.get(n)), None)
        if value:
            options[option] = value
    endpoint = next((env[n] for n in S3_ENDPOINT_ENVS if env.get(n)), None)
    if endpoint:
        url = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options["ENDPOINT"] = (url.netloc + url.path).rstrip("/")
        options["URL_STYLE"] = "path"
        options["USE_SSL"] = url.scheme != "http"
    return options


def _create_s3_secret(con: duckdb.DuckDBPyConnection, env: Mapping[str, str]) -> None:
    """A temporary (in-memory) S3 secret on the instance. The values are bound as parameters,
    so no secret is ever part of a statement's text, an error message or a log line."""
    load_extension(con, "httpfs")
    options = s3_secret_options(env)
    listed = "".join(f", {name} ?" for name in options)
    con.execute(
        f"CREATE OR REPLACE SECRET newsflow_lake_s3 (TYPE s3{listed})", list(options.values())
    )


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con`'s default database is a DuckLake."""
    found = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(found and found[0] == "ducklake")


def is_conflict(error: BaseException) -> bool:
    """Whether `error` is a lake commit that lost to a concurrent one (retry the transaction)."""
    return isinstance(error, duckdb.Error) and bool(_CONFLICT.search(str(error)))


# --- the schema ------------------------------------------------------------------------------

# String literals and comments are set aside while the DDL is rewritten, so that a COMMENT's
# text or a `-- note` is never touched.
_LITERAL = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
_INLINE_KEY = re.compile(r"\s+PRIMARY\s+KEY\b(?!\s*\()", re.IGNORECASE)
_TABLE_KEY = re.compile(
    r",(?P<between>(?:\s|\x00\d+\x00)*?)\s*PRIMARY\s+KEY\s*\([^)]*\)", re.IGNORECASE
)
_UNSUPPORTED = re.compile(r"\b(PRIMARY\s+KEY|UNIQUE|CREATE\s+(UNIQUE\s+)?INDEX)\b", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(", re.IGNORECASE)


def _mask(sql: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    return _LITERAL.sub(hide, sql), kept


def _unmask(sql: str, kept: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], sql)


def lake_ddl(sql: str) -> str:
    """A migration as a lake runs it: PRIMARY KEY constraints removed, all else unchanged.

    Raises ValueError for what no rewrite can carry over (UNIQUE, indexes), so that a future
    migration using them fails its lake test instead of a user's lake.
    """
    code, kept = _mask(sql)
    code = _INLINE_KEY.sub("", _TABLE_KEY.sub(lambda m: m.group("between"), code))
    left = _UNSUPPORTED.search(code)
    if left:
        raise ValueError(f"DuckLake cannot express {left.group(0)!r}; write the lake's way")
    return _unmask(code, kept)


def _table_bodies(sql: str) -> Iterable[tuple[str, str]]:
    """(table, text between the parentheses) of each CREATE TABLE in `sql` (masked)."""
    for match in _CREATE_TABLE.finditer(sql):
        depth, start = 1, match.end()
        for end in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                yield match.group(1), sql[start:end]
                break


def keys_of(sqls: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The primary key of every table created in `sqls`, read from the DDL itself.

    A key stays a table's key when a later migration rebuilds the table without the constraint
    (008 does, for the tables of derived rows): the loader still merges on it."""
    keys: dict[str, tuple[str, ...]] = {}
    for sql in sqls:
        code, _ = _mask(sql)
        for table, body in _table_bodies(code):
            composite = re.search(r"PRIMARY\s+KEY\s*\(([^)]*)\)", body, re.IGNORECASE)
            if composite:
                keys[table] = tuple(c.strip() for c in composite.group(1).split(","))
                continue
            inline = re.search(r"(?:^|[(,])\s*(\w+)\s[^,]*?PRIMARY\s+KEY", body, re.IGNORECASE)
            if inline:
                keys[table] = (inline.group(1),)
    return keys


@cache
def table_keys() -> dict[str, tuple[str, ...]]:
    """Every warehouse table's key columns, as the migrations declare them."""
    from warehouse.db import SCHEMA_MIGRATIONS_DDL, migrations

    return keys_of([SCHEMA_MIGRATIONS_DDL, *(sql for _, _, sql in migrations())])


# --- duplicates left by concurrent writers ---------------------------------------------------

Merge = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def _first_per_key(key: Sequence[str]) -> Merge:
    def merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: dict[tuple, dict[str, Any]] = {}
        for row in rows:
            seen.setdefault(tuple(row[k] for k in key), row)
        return list(seen.values())

    return merge


def duplicated_keys(
    con: duckdb.DuckDBPyConnection, table: str, keys: Iterable[tuple] | None = None
) -> pa.Table:
    """Keys of `table` held by more than one row (among `keys` when given)."""
    key = table_keys()[table]
    columns = ", ".join(key)
    if keys is None:
        return con.execute(
            f"SELECT {columns} FROM {table} GROUP BY ALL HAVING count(*) > 1"
        ).fetch_arrow_table()
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return pa.table({k: [] for k in key})
    stored = con.execute(f"SELECT {columns} FROM {table} LIMIT 0").fetch_arrow_table().schema
    probe = pa.Table.from_pylist([dict(zip(key, k, strict=True)) for k in wanted], schema=stored)
    con.register("written_keys", probe)
    try:
        return con.execute(
            f"SELECT {columns} FROM {table} SEMI JOIN written_keys USING ({columns})"
            " GROUP BY ALL HAVING count(*) > 1"
        ).fetch_arrow_table()
    finally:
        con.unregister("written_keys")


def fold_duplicates(
    con: duckdb.DuckDBPyConnection, table: str, duplicated: pa.Table, merge: Merge | None = None
) -> int:
    """Replace every row of the `duplicated` keys by one merged row (in the caller's
    transaction); return how many rows went."""
    if not duplicated.num_rows:
        return 0
    key = table_keys()[table]
    columns = ", ".join(key)
    con.register("duplicated_keys", duplicated)
    try:
        copies = con.execute(
            f"SELECT * FROM {table} SEMI JOIN duplicated_keys USING ({columns})"
        ).fetch_arrow_table()
        kept = (merge or _first_per_key(key))(copies.to_pylist())
        condition = " AND ".join(f"{table}.{k} = d.{k}" for k in key)
        con.execute(f"DELETE FROM {table} USING duplicated_keys d WHERE {condition}")
        con.register("folded_rows", pa.Table.from_pylist(kept, schema=copies.schema))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM folded_rows")
        con.unregister("folded_rows")
    finally:
        con.unregister("duplicated_keys")
    return copies.num_rows - len(kept)


def remove_duplicates(
    con: duckdb.DuckDBPyConnection,
    written: dict[str, Iterable[tuple] | None] | None = None,
    merges: dict[str, Merge] | None = None,
) -> int:
    """Fold the copies of the keys in `written` (table: keys, None for all its keys; every
    keyed table when `written` is None), each table in its own retried transaction. Return how
    many rows were removed."""
    from warehouse.db import transaction

    tables = written if written is not None else dict.fromkeys(_keyed_tables(con))
    removed = 0
    for table, keys in tables.items():
        wanted = None if keys is None else list(keys)
        if not duplicated_keys(con, table, wanted).num_rows:
            continue  # the usual case: one read, no transaction

        def fold(c: duckdb.DuckDBPyConnection, table: str = table, wanted=wanted) -> int:
            found = duplicated_keys(c, table, wanted)  # again: another writer may have folded
            return fold_duplicates(c, table, found, (merges or {}).get(table))

        removed += transaction(con, fold)
    return removed


def _keyed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    return [table for table in table_keys() if table in present]


# --- maintenance -----------------------------------------------------------------------------


def data_file_count(con: duckdb.DuckDBPyConnection) -> int:
    """Parquet data files the lake's current snapshot reads, over all its tables."""
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [LAKE]
    ).fetchall()
    total = 0
    for (table,) in tables:
        found = con.execute(
            f"SELECT count(*) FROM ducklake_list_files('{LAKE}', ?)", [table]
        ).fetchone()
        total += found[0] if found else 0
    return total


def snapshot_count(con: duckdb.DuckDBPyConnection) -> int:
    found = con.execute(f"SELECT count(*) FROM ducklake_snapshots('{LAKE}')").fetchone()
    return int(found[0]) if found else 0


def flush_inlined(con: duckdb.DuckDBPyConnection) -> None:
    """Write the small inserts DuckLake keeps inside the catalog out to Parquet files."""
    con.execute(f"CALL ducklake_flush_inlined_data('{LAKE}')")


def merge_files(con: duckdb.DuckDBPyConnection) -> None:
    """Merge small adjacent data files (a transaction of its own: DuckLake commits a
    compaction alone, never with changes)."""
    con.execute(f"CALL ducklake_merge_adjacent_files('{LAKE}')")


def expire_snapshots(con: duckdb.DuckDBPyConnection, older_than: timedelta) -> tuple[int, int]:
    """Expire snapshots older than `older_than`, then delete the files no snapshot needs any
    more (those scheduled at least `older_than` ago). Return (snapshots, files) removed."""
    cutoff = datetime.now(UTC) - older_than
    expired = con.execute(
        f"SELECT count(*) FROM ducklake_expire_snapshots('{LAKE}', older_than => ?)", [cutoff]
    ).fetchone()
    cleaned = con.execute(
        f"SELECT count(*) FROM ducklake_cleanup_old_files('{LAKE}', older_than => ?)", [cutoff]
    ).fetchone()
    return (expired[0] if expired else 0), (cleaned[0] if cleaned else 0)
