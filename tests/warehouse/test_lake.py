"""The ducklake backend: schema, idempotent loads, concurrent writers, readers, maintenance.

Every test that takes `lake_location` runs twice: on a SQLite catalog and on a PostgreSQL one
(skipped when $NEWSFLOW_TEST_POSTGRES is unset; `bash .ci/postgres` sets a server up).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.maintenance import maintain
from schemas.errors import WarehouseMissingError
from tests.factories import DERIVED, TEXT, make_article
from tests.warehouse.lake_writer import SHARED
from warehouse import lake
from warehouse.db import connect, migrations, transaction
from warehouse.dictionary import schema_connection
from warehouse.load import _load, fold_copies, load_batch
from warehouse.location import warehouse_location
from warehouse.query import known_urls, run_sql

REPO = Path(__file__).resolve().parents[2]


def count(location: str, table: str) -> int:
    return run_sql(location, f"SELECT count(*) FROM {table}").rows[0][0]


def duplicated(location: str) -> dict[str, int]:
    """Keys held by more than one row, per keyed table: none may be."""
    found = {}
    for table, key in lake.table_keys().items():
        columns = ", ".join(key)
        rows = run_sql(
            location,
            f"SELECT count(*) FROM (SELECT {columns} FROM {table} GROUP BY ALL"
            " HAVING count(*) > 1)",
        ).rows
        found[table] = rows[0][0]
    return {table: n for table, n in found.items() if n}


# -- the schema: one source of truth ----------------------------------------------------------


def test_lake_ddl_drops_key_constraints_and_nothing_else():
    sql = (
        "CREATE TABLE t (\n    id VARCHAR PRIMARY KEY,  -- a PRIMARY KEY note stays\n"
        "    n INTEGER NOT NULL\n);\n"
        "CREATE TABLE u (\n    a VARCHAR NOT NULL,\n    b INTEGER,   -- last column\n"
        "    PRIMARY KEY (a, b)\n);\n"
        "COMMENT ON COLUMN t.id IS 'the primary key, UNIQUE per row';"
    )
    rewritten = lake.lake_ddl(sql)
    assert "id VARCHAR,  -- a PRIMARY KEY note stays" in rewritten
    assert (
        "b INTEGER   -- last column\n\n);" in rewritten or "b INTEGER   -- last column" in rewritten
    )
    assert "PRIMARY KEY (a, b)" not in rewritten
    assert "'the primary key, UNIQUE per row'" in rewritten
    with pytest.raises(ValueError, match="UNIQUE"):
        lake.lake_ddl("CREATE TABLE v (a VARCHAR UNIQUE)")
    with pytest.raises(ValueError, match="INDEX"):
        lake.lake_ddl("CREATE INDEX i ON v (a)")


def test_table_keys_are_read_from_the_migrations():
    keys = lake.table_keys()
    assert keys["articles"] == ("article_id",)
    assert keys["entity_mentions"] == ("article_id", "start_char", "end_char")
    assert keys["event_actors"] == ("event_id", "role", "name")
    assert keys["schema_migrations"] == ("version",)
    con = schema_connection()  # every table of the file schema has its key here
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == set(keys)


def test_migrations_on_a_fresh_lake(lake_location):
    with connect(lake_location) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
        undocumented = con.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns()"
            " WHERE database_name = 'lake' AND comment IS NULL"
            " AND table_name IN (SELECT table_name FROM duckdb_tables()"
            "  WHERE database_name = 'lake')"
        ).fetchall()
        views = {
            row[0]
            for row in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE database_name = 'lake'"
            ).fetchall()
        }
    assert versions == [version for version, _, _ in migrations()]
    assert undocumented == []
    assert {"latest_articles", "events_timeline", "actor_pairs", "source_health"} <= views
    with connect(lake_location) as con:  # a second writer applies nothing again
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions)


def test_reading_a_lake_no_run_created_says_so(tmp_path):
    missing = f"ducklake:sqlite:{tmp_path / 'none.sqlite'}"
    with pytest.raises(WarehouseMissingError):
        run_sql(missing, "SELECT 1")
    assert known_urls(missing) == {}


def test_location_of_a_lake_keeps_local_things_beside_its_catalog(tmp_path):
    sqlite = warehouse_location(f"ducklake:sqlite:{tmp_path / 'c.sqlite'}")
    server = warehouse_location("ducklake:postgres:dbname=lake host=db password=secret")
    assert sqlite.is_lake and sqlite.parent == tmp_path and sqlite.kind == "sqlite"
    assert server.parent == Path("warehouse") and "secret" not in server.redacted
    assert not warehouse_location(tmp_path / "w.duckdb").is_lake


# -- loads ------------------------------------------------------------------------------------


def test_loading_the_same_batch_twice_adds_no_rows(lake_location):
    batch = [make_article(), make_article("https://news.example.org/b")]
    first = load_batch(lake_location, batch)
    tables = ("articles", *DERIVED, "entities", "event_clusters")
    before = {t: count(lake_location, t) for t in tables}
    second = load_batch(lake_location, batch)
    assert (first.new_articles, second.new_articles, second.claims) == (2, 0, 0)
    assert {t: count(lake_location, t) for t in tables} == before
    assert before["articles"] == 2 and before["claims"] == 2
    assert duplicated(lake_location) == {}


def test_a_replaced_article_leaves_no_orphans(lake_location):
    load_batch(lake_location, [make_article()], extractor_version="v1")
    changed = make_article(text=TEXT.replace("Monday", "Tuesday"))
    result = load_batch(lake_location, [changed], extractor_version="v2")
    assert result.updated_articles == 1
    orphans = {
        "claims": "SELECT count(*) FROM claims WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
        "events": "SELECT count(*) FROM events WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
        "event_actors": "SELECT count(*) FROM event_actors WHERE event_id NOT IN"
        " (SELECT event_id FROM events)",
        "entity_mentions": "SELECT count(*) FROM entity_mentions WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
        "event_clusters": "SELECT count(*) FROM event_clusters WHERE cluster_id NOT IN"
        " (SELECT cluster_id FROM events WHERE cluster_id IS NOT NULL)",
    }
    assert {t: run_sql(lake_location, q).rows[0][0] for t, q in orphans.items()} == dict.fromkeys(
        orphans, 0
    )
    assert run_sql(lake_location, "SELECT extractor_version FROM articles").rows == [("v2",)]
    assert count(lake_location, "events") == 1


def test_copies_of_a_key_inserted_by_two_writers_at_once_are_folded(lake_location):
    """Two transactions insert the same new entity (one knows its country, the other its
    sector). On PostgreSQL both commit (inserts never conflict) and the check after the second
    commit folds the copies; on SQLite the second commit conflicts and its retry merges."""
    load_batch(lake_location, [])  # the schema
    first, second = (
        _article_with_actor("https://a.org/1", "NOR", None),
        _article_with_actor("https://b.org/1", None, "government"),
    )
    location = warehouse_location(lake_location)
    with connect(location) as mine:
        other = lake._attach(location, read_only=False)  # another process, in effect
        other.execute(f"USE {lake.LAKE}")
        try:
            written: dict = {}
            mine.execute("BEGIN TRANSACTION")
            other.execute("BEGIN TRANSACTION")
            _load(mine, [first], [], "r1", "x", "p")
            _load(other, [second], [], "r2", "x", "p", written)
            mine.execute("COMMIT")
            try:
                other.execute("COMMIT")
            except Exception as error:  # SQLite: the second commit loses; run it again
                assert lake.is_conflict(error)
                written.clear()
                transaction(other, lambda c: _load(c, [second], [], "r2", "x", "p", written))
            fold_copies(other, written)
        finally:
            other.close()
    rows = run_sql(
        lake_location, "SELECT name, country_code, sector FROM entities WHERE name = 'Envoy'"
    ).rows
    assert rows == [("Envoy", "NOR", "government")]
    assert duplicated(lake_location) == {}


def _article_with_actor(url: str, country: str | None, sector: str | None):
    base = make_article(url)
    event = base.events[0]
    actor = event.actors[0].model_copy(
        update={"name": "Envoy", "country_code": country, "sector": sector}
    )
    return base.model_copy(update={"events": (event.model_copy(update={"actors": (actor,)}),)})


# -- several processes at once ----------------------------------------------------------------


def _writers(location: str, names: list[str], batches: int, per_batch: int):
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.warehouse.lake_writer",
                location,
                name,
                str(batches),
                str(per_batch),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]


def test_two_processes_load_one_lake_at_once_while_a_reader_reads(lake_location):
    batches, per_batch = 4, 3
    load_batch(lake_location, [])  # the schema first, as a deployment's first run would
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:  # a person querying while the writers write
        while not done.is_set():
            try:
                seen.append(count(lake_location, "articles"))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            time.sleep(0.05)

    reader = threading.Thread(target=read)
    reader.start()
    writers = _writers(lake_location, ["one", "two"], batches, per_batch)
    try:
        outputs = [writer.communicate(timeout=600) for writer in writers]
    finally:
        done.set()
        reader.join()
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
        assert json.loads(out)["new_articles"] == batches * per_batch

    total = 2 * batches * per_batch
    assert count(lake_location, "articles") == total
    assert count(lake_location, "claims") == total and count(lake_location, "events") == total
    assert duplicated(lake_location) == {}
    names = [row[0] for row in run_sql(lake_location, "SELECT name FROM entities").rows]
    assert sorted(n for n in names if n in SHARED) == SHARED  # shared entities stored once
    clusters = run_sql(lake_location, "SELECT sum(mentions) FROM event_clusters").rows[0][0]
    assert clusters == total  # every event counted once in its cluster
    assert not errors, errors[:1]
    assert seen and seen == sorted(seen)  # the reader only ever saw whole batches arrive
    assert all(n % per_batch == 0 for n in seen)


# -- maintenance ------------------------------------------------------------------------------


def test_maintenance_compacts_small_files_and_expires_snapshots(lake_location):
    from bench.load_rate import synthetic_articles

    for first in range(0, 60, 15):  # 15 articles a batch: past inlining, each writes files
        load_batch(lake_location, synthetic_articles(first, 15, 2))
    with connect(lake_location) as con:
        snapshots = lake.snapshot_count(con)

    report = maintain(lake_location, keep_snapshots_days=0)

    upkeep = report.lake
    assert upkeep is not None
    assert upkeep.data_files_after < upkeep.data_files_before
    assert upkeep.expired_snapshots > 0 and upkeep.deleted_files > 0
    with connect(lake_location) as con:
        assert lake.snapshot_count(con) < snapshots
    assert count(lake_location, "articles") == 60 and count(lake_location, "claims") == 120
    assert "lake data files" in report.markdown()
