from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.export import export_warehouse
from warehouse.query import run_sql


def test_parquet_export_reads_back_every_row(examples_warehouse, tmp_path):
    exported = {e.table: e for e in export_warehouse(examples_warehouse, tmp_path / "out")}
    assert {"articles", "claims", "events", "event_actors", "fetch_log"} <= set(exported)
    for table in ("articles", "claims", "events"):
        files = list(exported[table].path.glob("month=*/*.parquet"))
        assert files, table
        count = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{exported[table].path}/*/*.parquet',"
            " hive_partitioning = true)"
        ).fetchone()[0]
        stored = run_sql(examples_warehouse, f"SELECT count(*) FROM {table}").rows[0][0]
        assert count == stored == exported[table].rows
    actors = duckdb.sql(f"SELECT count(*) FROM '{exported['event_actors'].path}'").fetchone()[0]
    assert actors == exported["event_actors"].rows


def test_csv_export_has_headers_and_can_be_rerun(examples_warehouse, tmp_path):
    export_warehouse(examples_warehouse, tmp_path, fmt="csv")
    again = export_warehouse(examples_warehouse, tmp_path, fmt="csv")  # replaces, no error
    runs = next(e for e in again if e.table == "runs")
    assert runs.path.read_text().splitlines()[0].startswith("run_id,")
    months = sorted(p.name for p in (tmp_path / "articles").iterdir())
    assert months and all(m.startswith("month=") for m in months)


def test_the_duckdb_shell_opens_the_warehouse_file(examples_warehouse):
    shell = Path(sys.executable).parent / "duckdb"
    if not shell.exists():
        shell = shutil.which("duckdb")
    if not shell:
        pytest.skip("duckdb-cli is not installed (it comes with the dev extras)")
    result = subprocess.run(
        [
            str(shell),
            "-readonly",
            "-csv",
            str(examples_warehouse),
            "-c",
            "SELECT count(*) AS n FROM claims_by_speaker WHERE speaker = 'NHK'",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "1"]
