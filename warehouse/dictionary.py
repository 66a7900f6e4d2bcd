"""The data dictionary (docs/warehouse.md), generated from the schema so it cannot drift.

Every table, view and column carries its meaning as a COMMENT in the migrations; this module
applies them to an empty in-memory database and writes what the catalog says, with an example
query per table. `python -m warehouse.dictionary > docs/warehouse.md` regenerates the file, and a
test fails when the file is not current.
"""

from __future__ import annotations

import sys

import duckdb

from warehouse.db import migrate

# One query per table and view, each a question a person would ask; a test runs them all.
EXAMPLES: dict[str, str] = {
    "articles": "SELECT title, published_at, source FROM articles "
    "ORDER BY published_at DESC LIMIT 10",
    "claims": "SELECT speaker, cue, content FROM claims WHERE speaker = 'NHK'",
    "events": "SELECT event_type, event_date, date_precision, location FROM events "
    "WHERE event_type = 'CONSULT' ORDER BY event_date",
    "event_actors": "SELECT e.event_type, x.role, x.name, x.country_code "
    "FROM events e JOIN event_actors x USING (event_id) WHERE x.country_code = 'JPN'",
    "entities": "SELECT name, type, country_code FROM entities WHERE type = 'person' ORDER BY name",
    "entity_mentions": "SELECT e.name, count(*) AS mentions FROM entity_mentions m "
    "JOIN entities e USING (entity_id) GROUP BY e.name ORDER BY mentions DESC LIMIT 10",
    "event_clusters": "SELECT event_type, event_date, location, articles FROM event_clusters "
    "ORDER BY articles DESC LIMIT 10",
    "fetch_log": "SELECT url, status, error FROM fetch_log WHERE error IS NOT NULL "
    "ORDER BY fetched_at DESC LIMIT 20",
    "http_cache": "SELECT url, etag, last_modified FROM http_cache LIMIT 10",
    "runs": "SELECT started_at, new_articles, claims, events, errors FROM runs "
    "ORDER BY started_at DESC LIMIT 5",
    "schema_migrations": "SELECT version, name, applied_at FROM schema_migrations",
    "latest_articles": "SELECT published_at, title, claims, events FROM latest_articles LIMIT 10",
    "claims_by_speaker": "SELECT speaker, speaker_kind, claims, articles FROM claims_by_speaker "
    "LIMIT 10",
    "event_participants": "SELECT actors, recipients, countries FROM event_participants LIMIT 10",
    "events_timeline": "SELECT event_date, event_type, actors, location FROM events_timeline "
    "WHERE event_date >= DATE '2021-01-01'",
    "event_mentions": "SELECT cluster_id, count(DISTINCT article_id) AS articles "
    "FROM event_mentions GROUP BY cluster_id ORDER BY articles DESC",
    "actor_pairs": "SELECT actor, counterpart, event_type, events FROM actor_pairs "
    "WHERE event_type IN ('CONSULT', 'AGREE') LIMIT 10",
    "source_health": "SELECT source, last_success, error_rate, articles_per_day FROM source_health",
}


def schema_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory database with every migration applied."""
    con = duckdb.connect(":memory:")
    migrate(con)
    return con


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "SELECT table_name, 'table', comment FROM duckdb_tables() WHERE schema_name = 'main'"
        " UNION ALL SELECT view_name, 'view', comment FROM duckdb_views()"
        " WHERE schema_name = 'main' AND NOT internal ORDER BY 2, 1"
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns()"
        " WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [name],
    ).fetchall()


def undocumented_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Table columns without a COMMENT (views inherit meaning from their tables)."""
    rows = con.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() c"
        " JOIN duckdb_tables() t USING (schema_name, table_name)"
        " WHERE c.schema_name = 'main' AND c.comment IS NULL ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def data_dictionary() -> str:
    """docs/warehouse.md as it should be for the current migrations."""
    con = schema_connection()
    lines = [
        "# The warehouse: data dictionary",
        "",
        "Generated from the schema by `python -m warehouse.dictionary > docs/warehouse.md`;",
        "do not edit by hand. Every column's meaning is a `COMMENT` in `schemas/migrations/`,",
        "so DuckDB shows it too: `select table_name, column_name, comment from duckdb_columns()`.",
        "",
    ]
    relations = _relations(con)
    lines.append("| name | kind | what it holds |")
    lines.append("| --- | --- | --- |")
    lines += [f"| [`{n}`](#{n}) | {kind} | {comment or ''} |" for n, kind, comment in relations]
    for name, kind, comment in relations:
        lines += ["", f"## {name}", "", f"{kind.capitalize()}. {comment or ''}".rstrip(), ""]
        lines += ["| column | type | meaning |", "| --- | --- | --- |"]
        for column, data_type, meaning in _columns(con, name):
            escaped = (meaning or "").replace("|", r"\|")
            lines.append(f"| `{column}` | {data_type} | {escaped} |")
        if name in EXAMPLES:
            lines += ["", "```sql", EXAMPLES[name] + ";", "```"]
    con.close()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(data_dictionary())
