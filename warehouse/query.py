"""Reading the warehouse: what is already stored, and SQL for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from schemas.errors import QueryError, WarehouseMissingError
from warehouse.db import LOCK_WAIT_SECONDS, WarehouseLocation, connect, warehouse_location

Warehouse = WarehouseLocation | Path | str | None


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _rows_if_present(warehouse: Warehouse, table: str, query: str) -> list[tuple]:
    """Rows of `query`, or none when the warehouse or `table` does not exist yet."""
    location = warehouse_location(warehouse)
    if not location.exists():
        return []
    try:
        with connect(location, read_only=True) as con:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
            return con.execute(query).fetchall() if table in tables else []
    except WarehouseMissingError:
        return []  # a lake on a server that no run has created yet


def known_urls(warehouse: Warehouse) -> dict[str, datetime]:
    """When each stored article was fetched, by URL (as discovered and after redirects).

    The discovery watermark: an entry whose URL is here is not fetched again unless its feed
    says it was updated after that time (UTC).
    """
    rows = _rows_if_present(
        warehouse,
        "articles",
        "SELECT url, max(fetched_at) FROM (SELECT url, fetched_at FROM articles"
        " UNION ALL SELECT final_url, fetched_at FROM articles) GROUP BY url",
    )
    return {url: fetched for url, fetched in rows if url}


def http_validators(warehouse: Warehouse) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) of the last good response per URL, for conditional GET."""
    rows = _rows_if_present(
        warehouse, "http_cache", "SELECT url, etag, last_modified FROM http_cache"
    )
    return {url: (etag, modified) for url, etag, modified in rows}


# What `newsflow sql --schema` shows: every table and view with its columns and their meaning.
SCHEMA_QUERY = """
SELECT c.table_name AS "table", coalesce(t.kind, 'view') AS kind, c.column_name AS "column",
       c.data_type AS type, c.comment AS meaning
FROM duckdb_columns() c
LEFT JOIN (SELECT table_name, 'table' AS kind FROM duckdb_tables()
           WHERE schema_name = 'main' AND database_name = current_database()) t
    USING (table_name)
WHERE c.schema_name = 'main' AND c.database_name = current_database()
ORDER BY kind, c.table_name, c.column_index
"""


def first_copy_signatures(
    warehouse: Warehouse,
) -> list[tuple[str, str, str | None, bytes | None]]:
    """(article_id, canonical or discovered URL, text fingerprint, MinHash) of every stored first
    copy, oldest first: what a run's duplicate index starts from."""
    return _rows_if_present(
        warehouse,
        "articles",
        "SELECT article_id, coalesce(canonical_url, url), text_fingerprint, minhash"
        " FROM articles WHERE dup_of IS NULL ORDER BY loaded_at, article_id",
    )


def run_sql(
    warehouse: Warehouse,
    query: str,
    *,
    write: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> QueryResult:
    """Run one SQL statement; read-only unless `write` is set."""
    with connect(warehouse, read_only=not write, wait_seconds=wait_seconds) as con:
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            raise QueryError(f"SQL error: {error}") from error
        if cursor.description is None:
            return QueryResult([], [])
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, cursor.fetchall())
