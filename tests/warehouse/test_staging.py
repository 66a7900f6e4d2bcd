"""Staged batches on disk: written whole or not at all, read back as they were, merged once."""

from __future__ import annotations

import shutil

from tests.factories import make_article
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.query import run_sql
from warehouse.staging import (
    StagedBatch,
    load_or_stage,
    merge_staged,
    read_staged,
    stage_batch,
    staged_files,
    staged_urls,
    staging_dir,
)


def test_a_staged_batch_reads_back_as_it_was_written(warehouse_path):
    article = make_article().model_copy(update={"minhash": bytes(range(256)) * 2})
    batch = StagedBatch([article], [], run_id="r1", extractor_version="x", run={"a": 1})

    path = stage_batch(warehouse_path, batch)

    assert path.parent == staging_dir(warehouse_path)
    assert list(path.parent.glob("*.tmp")) == []
    assert read_staged(path) == batch
    assert staged_urls(warehouse_path) == {make_article().url}


def test_staged_files_come_oldest_first(warehouse_path):
    first = stage_batch(warehouse_path, StagedBatch([make_article("https://x.org/1")], []))
    second = stage_batch(warehouse_path, StagedBatch([make_article("https://x.org/2")], []))
    assert staged_files(warehouse_path) == [first, second]


def test_merging_the_same_batch_twice_adds_nothing(warehouse_path):
    load_batch(warehouse_path, [])
    path = stage_batch(warehouse_path, StagedBatch([make_article()], [], run_id="r1"))
    copy = path.with_name("99999999T999999999999-copy.json.gz")  # e.g. a crash before unlink
    shutil.copy(path, copy)

    with connect(warehouse_path) as con:
        assert merge_staged(con, warehouse_path) == 2

    assert staged_files(warehouse_path) == []
    for table in ("articles", "claims", "events", "event_actors"):
        assert run_sql(warehouse_path, f"SELECT count(*) FROM {table}").rows == [(1,)], table


def test_an_unreadable_staged_file_is_set_aside_not_retried_forever(warehouse_path):
    load_batch(warehouse_path, [])
    folder = staging_dir(warehouse_path)
    folder.mkdir(parents=True)
    (folder / "20240101T000000000000-1-bad.json.gz").write_bytes(b"not gzip")

    with connect(warehouse_path) as con:
        assert merge_staged(con, warehouse_path) == 0

    assert staged_files(warehouse_path) == []
    assert [p.name for p in (folder / "rejected").iterdir()] == [
        "20240101T000000000000-1-bad.json.gz"
    ]


def test_a_batch_loaded_without_a_checkpoint_waits_in_the_log_until_a_writer_checkpoints(
    warehouse_path, tmp_path
):
    load_or_stage(warehouse_path, StagedBatch([make_article()], [], run_id="r1"), checkpoint=False)
    log = warehouse_path.with_name(warehouse_path.name + ".wal")
    assert log.exists()
    # committed: a reader (and a process that crashed here) finds it through the log
    assert run_sql(warehouse_path, "SELECT count(*) FROM articles").rows == [(1,)]

    load_or_stage(warehouse_path, StagedBatch([], [], run_id="r1"))  # as a run's last write

    assert not log.exists()
    alone = tmp_path / "copy" / warehouse_path.name  # the file alone now holds the article
    alone.parent.mkdir()
    shutil.copy(warehouse_path, alone)
    assert run_sql(alone, "SELECT count(*) FROM articles").rows == [(1,)]
