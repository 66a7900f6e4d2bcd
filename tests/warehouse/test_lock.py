"""The warehouse lock, both directions: a held file never costs a run its data, and a reader
asking during a run gets an answer."""

from __future__ import annotations

import threading

from schemas.records import FetchLogRecord
from tests.factories import make_article
from tests.warehouse.lock_holder import held
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.query import run_sql
from warehouse.runs import RunSummary, run_row
from warehouse.staging import StagedBatch, load_or_stage, staged_files


def _count(path, table: str) -> int:
    return run_sql(path, f"SELECT count(*) FROM {table}").rows[0][0]


def _log_record() -> FetchLogRecord:
    article = make_article()
    return FetchLogRecord(
        source="test", url=article.url, status=200, fetched_at=article.fetched_at, bytes=10
    )


def test_a_batch_is_staged_while_someone_holds_the_file_and_merged_afterwards(warehouse_path):
    load_batch(warehouse_path, [])  # the schema
    with held(warehouse_path):
        result = load_batch(warehouse_path, [make_article()], [_log_record()], run_id="r1")
        assert result.new_articles == 0  # nothing loaded yet...
        assert len(staged_files(warehouse_path)) == 1  # ...but nothing lost either

    outcome = load_or_stage(warehouse_path, StagedBatch([], []))

    assert outcome.merged == 1
    assert staged_files(warehouse_path) == []
    assert _count(warehouse_path, "articles") == 1
    assert _count(warehouse_path, "claims") == 1
    assert _count(warehouse_path, "fetch_log") == 1


def test_a_read_only_session_also_makes_the_writer_stage(warehouse_path):
    load_batch(warehouse_path, [])
    summary = RunSummary.started("run-1", make_article().fetched_at, "ingest", 1)
    with held(warehouse_path, read_only=True):
        outcome = load_or_stage(
            warehouse_path, StagedBatch([make_article()], [], run=run_row(summary))
        )
        assert outcome.staged is not None and outcome.staged.exists()
    load_batch(warehouse_path, [])
    assert _count(warehouse_path, "articles") == 1
    assert run_sql(warehouse_path, "SELECT run_id, status FROM runs").rows == [("run-1", "running")]


def test_a_reader_waits_for_a_writer_to_finish_its_batch(warehouse_path):
    load_batch(warehouse_path, [make_article()])
    answers: list[int] = []
    with held(warehouse_path) as writer:  # a run in the middle of a batch
        reader = threading.Thread(target=lambda: answers.append(_count(warehouse_path, "articles")))
        reader.start()
        writer.release()  # the batch commits; the reader, still waiting, then gets in
        reader.join()
    assert answers == [1]


def test_writers_in_one_process_merge_each_staged_batch_once(warehouse_path):
    load_batch(warehouse_path, [])
    with held(warehouse_path):
        load_batch(warehouse_path, [make_article("https://news.example.org/a")])
        load_batch(warehouse_path, [make_article("https://news.example.org/b")])
    assert len(staged_files(warehouse_path)) == 2
    load_batch(warehouse_path, [])
    load_batch(warehouse_path, [])
    assert _count(warehouse_path, "articles") == 2
    with connect(warehouse_path, read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT article_id) FROM claims").fetchone() == (2,)
