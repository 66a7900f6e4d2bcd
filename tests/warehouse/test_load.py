from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from schemas import ids
from schemas.errors import LoadError, WarehouseLockedError
from schemas.records import FetchLogRecord
from tests.factories import DERIVED, TEXT, make_article
from tests.warehouse.lock_holder import held
from warehouse.db import SCHEMA_MIGRATIONS_DDL, connect, migrations
from warehouse.load import _load, load_batch, utc_timestamp
from warehouse.query import known_urls, run_sql

TEXT_V2 = TEXT.replace("Monday", "Tuesday")


def log_record(url: str, status: int | None = 200, error: str | None = None) -> FetchLogRecord:
    return FetchLogRecord(
        source="test", url=url, status=status, error=error, fetched_at=datetime.now(UTC)
    )


def count(path, table: str) -> int:
    return run_sql(path, f"SELECT count(*) FROM {table}").rows[0][0]


def test_migrations_are_numbered_and_applied_once(warehouse_path):
    versions = [version for version, _, _ in migrations()]
    assert versions == sorted(set(versions)) and versions[0] == 1
    with connect(warehouse_path) as con:
        recorded = con.execute("SELECT version FROM schema_migrations").fetchall()
    with connect(warehouse_path) as con:  # a second connection applies nothing again
        again = con.execute("SELECT version FROM schema_migrations").fetchall()
    assert recorded == again == [(v,) for v in versions]


def test_migration_8_drops_the_derived_tables_keys_and_keeps_rows_and_comments(warehouse_path):
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path)) as con:  # a warehouse as migration 7 left it
        con.execute(SCHEMA_MIGRATIONS_DDL)
        for version, name, sql in migrations()[:7]:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
        _load(con, [make_article()], [], None, None, None)
        stored = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DERIVED}
    assert all(stored.values())
    with connect(warehouse_path) as con:
        keyed = con.execute(
            "SELECT DISTINCT table_name FROM duckdb_constraints()"
            " WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        comments = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE list_contains(?, table_name)"
            " AND comment <> ''",
            [list(DERIVED)],
        ).fetchone()[0]
        table_comment = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'claims'"
        ).fetchone()[0]
    assert not {table for (table,) in keyed} & set(DERIVED)
    assert {"articles", "entities", "fetch_log"} <= {table for (table,) in keyed}
    assert comments == 49 and table_comment.startswith("Who asserted what")
    assert {t: count(warehouse_path, t) for t in DERIVED} == stored
    load_batch(warehouse_path, [make_article()])  # MERGE on the keys still stores each row once
    assert {t: count(warehouse_path, t) for t in DERIVED} == stored


def test_load_stores_article_with_everything_extracted(warehouse_path):
    result = load_batch(
        warehouse_path, [make_article()], [log_record("https://news.example.org/a")]
    )
    assert (result.new_articles, result.claims, result.events) == (1, 1, 1)
    row = run_sql(
        warehouse_path, "SELECT article_id, url, title, published_at, authors FROM articles"
    ).rows[0]
    assert row[0] == ids.article_id("https://news.example.org/a")
    assert row[3] == datetime(2024, 3, 12, 6, 30)  # stored as UTC
    assert row[4] == ["A. Writer"]
    claim = run_sql(warehouse_path, "SELECT content, source, is_direct_quote FROM claims").rows
    assert claim == [("We agree,", "the minister", True)]
    actors = run_sql(warehouse_path, "SELECT role, name FROM event_actors").rows
    assert actors == [("actor", "Officials")]
    assert count(warehouse_path, "fetch_log") == 1
    assert count(warehouse_path, "entity_mentions") == 1


def test_loading_the_same_batch_twice_adds_no_rows(warehouse_path):
    batch = [make_article(), make_article("https://news.example.org/b")]
    load_batch(warehouse_path, batch)
    tables = ("articles", "claims", "events", "event_actors", "entities", "entity_mentions")
    before = {t: count(warehouse_path, t) for t in tables}
    second = load_batch(warehouse_path, batch)
    assert second.new_articles == 0 and second.claims == 0
    assert {t: count(warehouse_path, t) for t in tables} == before
    known = known_urls(warehouse_path)
    assert set(known) == {"https://news.example.org/a", "https://news.example.org/b"}
    assert known["https://news.example.org/a"] == datetime(2024, 3, 12, 10)


def test_failed_batch_leaves_nothing_half_written(warehouse_path):
    good = make_article()
    load_batch(warehouse_path, [], [])  # create the schema
    with connect(warehouse_path) as con:  # make the claims insert fail inside the batch
        con.execute("DROP TABLE claims")
        con.execute(
            "CREATE TABLE claims (claim_id VARCHAR PRIMARY KEY, article_id VARCHAR,"
            " content VARCHAR CHECK (length(content) > 1000))"
        )
    with pytest.raises(LoadError):
        load_batch(warehouse_path, [good])
    assert count(warehouse_path, "articles") == 0
    assert count(warehouse_path, "events") == 0


def test_utc_timestamp_accepts_dates_and_offsets():
    assert utc_timestamp("2021-05-04") == datetime(2021, 5, 4)
    assert utc_timestamp("2024-03-12T09:30:00Z") == datetime(2024, 3, 12, 9, 30)
    assert utc_timestamp("not a date") is None
    assert utc_timestamp(None) is None


def test_writer_waits_then_reports_a_locked_warehouse(warehouse_path):
    load_batch(warehouse_path, [])
    with (
        held(warehouse_path),
        pytest.raises(WarehouseLockedError),
        connect(warehouse_path, wait_seconds=0.5),
    ):
        pass
    with connect(warehouse_path) as con:  # once the holder is gone, the warehouse opens again
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_duckdb_file_opens_in_a_plain_duckdb_connection(warehouse_path):
    load_batch(warehouse_path, [make_article()])
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    finally:
        con.close()


def test_changed_text_or_extractor_replaces_the_article_and_its_rows(warehouse_path):
    load_batch(warehouse_path, [make_article()], extractor_version="1")
    changed = make_article(text=TEXT_V2)
    result = load_batch(warehouse_path, [changed], extractor_version="1")
    assert (result.new_articles, result.updated_articles) == (0, 1)
    assert run_sql(warehouse_path, "SELECT text FROM articles").rows == [(TEXT_V2,)]
    assert count(warehouse_path, "claims") == 1 and count(warehouse_path, "event_actors") == 1
    rerun = load_batch(warehouse_path, [changed], extractor_version="2")
    assert rerun.updated_articles == 1
    assert run_sql(warehouse_path, "SELECT extractor_version FROM articles").rows == [("2",)]
    assert count(warehouse_path, "events") == 1
