"""bench/load_growth.py on copies of two AEB pages: every copy is stored, and each line is timed."""

from __future__ import annotations

import json

import duckdb
import pytest

import warehouse.db
from bench import load_growth


def test_every_copy_is_loaded_and_each_interval_is_timed(corpus, tmp_path, capsys):
    records = load_growth.aeb_records(2)
    opened = warehouse.db._open
    load_growth.measure(records, 250, 100, tmp_path, statements=True)
    assert warehouse.db._open is opened  # the timing ends with the measurement
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["articles"] for line in lines] == [100, 200, 250]
    for line in lines:
        assert line["cpu_seconds_per_article"] > 0
        assert 0 < line["close_share"] < 1
        assert len(line["slowest"]) == 5 and all(s >= 0 for s in line["slowest"].values())
    with duckdb.connect(str(tmp_path / "growth.duckdb"), read_only=True) as con:
        articles, claims = con.execute(
            "SELECT count(*), (SELECT count(*) FROM claims) FROM articles"
        ).fetchone()
    assert articles == 250
    per_copy = sum(len(record.claims) for record in records) / len(records)
    assert claims == 250 * per_copy  # 125 copies of each page, no claim lost or merged


def test_every_must_be_whole_chunks():
    with pytest.raises(SystemExit) as stop:
        load_growth.main(["--every", "150"])
    assert stop.value.code == 2
