"""Full-text search over articles and claims: DuckDB's fts extension, BM25 ranking.

The extension comes from the `duckdb-extension-fts` package, so it installs without internet.
DuckDB's FTS index is a snapshot: `refresh_search_index` rebuilds it after each load.

A lake has no index to rebuild: the same BM25 over the same fields is computed at query time in
plain SQL (warehouse/bm25.py), with the same results shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
from duckdb_extensions import import_extension

from schemas.errors import QueryError
from warehouse import bm25
from warehouse.db import WarehouseLocation, connect, warehouse_location
from warehouse.lake import is_lake_connection

# What each index covers: the table, its key, and the columns searched.
INDEXES = {
    "articles": ("article_id", ("title", "text")),
    "claims": ("claim_id", ("content", "speaker", "source")),
}
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class SearchHit:
    score: float
    kind: str  # "article" or "claim"
    title: str | None
    url: str
    published_at: datetime | None
    snippet: str
    speaker: str | None = None


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts, installing it from the Python package the first time (no internet needed)."""
    try:
        con.execute("LOAD fts")
    except duckdb.Error:
        import_extension("fts", con=con)
        con.execute("LOAD fts")


def refresh_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the BM25 indexes of articles and claims (English stemming and stop words);
    nothing to do on a lake, which ranks at query time."""
    if is_lake_connection(con):
        return
    load_fts(con)
    for table, (key, columns) in INDEXES.items():
        fields = ", ".join(f"'{column}'" for column in columns)
        con.execute(
            f"PRAGMA create_fts_index('{table}', '{key}', {fields},"
            " stemmer = 'english', stopwords = 'english', overwrite = 1)"
        )


def _has_index(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [f"fts_main_{table}"]
    ).fetchone()
    return bool(found and found[0])


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """A window of `text` around the first query word found in it, or its start."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2]
    lowered = text.lower()
    positions = [p for p in (lowered.find(w) for w in words) if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    window = " ".join(text[start : start + width].split())
    return ("…" if start else "") + window + ("…" if start + width < len(text) else "")


def search(
    warehouse: WarehouseLocation | Path | str | None,
    query: str,
    *,
    claims: bool = False,
    since: date | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """The best-matching articles (or claims), newest first among equal scores."""
    table = "claims" if claims else "articles"
    with connect(warehouse, read_only=True) as con:
        if is_lake_connection(con):
            rows = _search_lake(con, table, query, since, limit)
        else:
            if not _has_index(con, table):
                raise QueryError("no search index yet: run `newsflow ingest` first")
            load_fts(con)
            sql = _search_sql(table, "index")
            rows = con.execute(sql, [query, since, since, limit]).fetchall()
    if claims:
        return [
            SearchHit(score, "claim", title, url, published, content, speaker)
            for score, title, url, published, content, speaker in rows
        ]
    return [
        SearchHit(score, "article", title, url, published, snippet(text, query))
        for score, title, url, published, text in rows
    ]


# Each table's rows with their score: the fts index's, or the lake's `ranked` rows (bm25.py).
_SCORED = {
    "index": "SELECT *, fts_main_{table}.match_bm25({key}, ?) AS score FROM {table}",
    "lake": "SELECT t.*, r.score FROM {table} t JOIN ranked r ON r.key = t.{key}",
}
_SEARCH_SQL = {
    "articles": """
        SELECT score, title, url, published_at, text FROM ({scored})
        WHERE score IS NOT NULL AND (? IS NULL OR published_at >= ?)
        ORDER BY score DESC, published_at DESC NULLS LAST LIMIT ?""",
    "claims": """
        SELECT c.score, a.title, a.url, a.published_at, c.content, c.speaker FROM ({scored}) c
        JOIN articles a USING (article_id)
        WHERE c.score IS NOT NULL AND (? IS NULL OR a.published_at >= ?)
        ORDER BY c.score DESC, a.published_at DESC NULLS LAST LIMIT ?""",
}


def _search_sql(table: str, scoring: str) -> str:
    scored = _SCORED[scoring].format(table=table, key=INDEXES[table][0])
    return _SEARCH_SQL[table].format(scored=scored)


def _search_lake(
    con: duckdb.DuckDBPyConnection, table: str, query: str, since: date | None, limit: int
) -> list[tuple]:
    load_fts(con)  # its stemmer
    key, fields = INDEXES[table]
    ranked = bm25.ranked_keys(con, table, key, fields, query)
    if ranked is None:
        return []
    sql = f"WITH ranked AS ({ranked}) {_search_sql(table, 'lake')}"
    return con.execute(sql, [since, since, limit]).fetchall()


def refresh(warehouse: WarehouseLocation | Path | str | None) -> None:
    """Rebuild the search indexes of the warehouse at `warehouse` (after a load); a lake has
    none to rebuild."""
    if warehouse_location(warehouse).is_lake:
        return
    with connect(warehouse) as con:
        refresh_search_index(con)
