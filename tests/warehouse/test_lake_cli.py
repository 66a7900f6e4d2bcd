"""`newsflow sql | search | export | report | ingest` on a lake, through the command line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.factories import make_article
from tests.flows.test_ingest import news_site, sources_file  # noqa: F401 - fixtures
from warehouse.load import load_batch
from warehouse.query import run_sql
from warehouse.search import refresh, search

runner = CliRunner()
NEWSFLOW = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "newsflow"

MET = 'Officials met in Oslo on Monday. "We agree," the minister said.'
TEXTS = {
    "oslo": f"{MET} Talks in Oslo went on.",
    "bridge": f"{MET} Of the new bridges, nothing.",
    "fish": f"{MET} Fishing quotas rose.",
    "talks": f"{MET} More talks are planned.",
}


def _load_news(warehouse: str) -> None:
    load_batch(
        warehouse,
        [make_article(f"https://news.example.org/{name}", text) for name, text in TEXTS.items()],
    )


@pytest.fixture
def lake(lake_location: str) -> str:
    _load_news(lake_location)
    return lake_location


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_sql_and_schema_on_a_lake(lake):
    result = invoke("sql", "select count(*) as n from articles", "-w", lake, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 4}]
    schema = json.loads(invoke("sql", "--schema", "-w", lake, "--format", "json").stdout)
    described = {(r["table"], r["column"]): r for r in schema}
    assert described[("articles", "url")]["kind"] == "table"
    assert described[("articles", "url")]["meaning"]
    assert described[("latest_articles", "title")]["kind"] == "view"
    assert not any(r["table"].startswith("ducklake_") for r in schema)  # not the catalog's own


def test_sql_on_a_lake_is_read_only_unless_asked(lake):
    refused = invoke("sql", "delete from articles", "-w", lake)
    assert refused.exit_code == 1 and "error" in refused.output
    assert run_sql(lake, "select count(*) from articles").rows == [(4,)]


def test_search_on_a_lake_ranks_like_the_file_index(lake, tmp_path):
    file = tmp_path / "same.duckdb"
    _load_news(str(file))
    refresh(file)
    for query in ("talks in Oslo", "bridge", "fishing quota"):
        on_lake = [hit.url for hit in search(lake, query)]
        on_file = [hit.url for hit in search(file, query)]
        assert on_lake and on_lake[0] == on_file[0], query
        assert set(on_lake) == set(on_file), query
    claims = search(lake, "agree", claims=True)
    assert len(claims) == 4 and claims[0].speaker == "minister"
    assert search(lake, "the of and") == []  # stop words only: nothing to look for

    result = invoke("search", "bridges", "-w", lake, "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["url"] == "https://news.example.org/bridge" and hits[0]["score"] > 0


def test_export_and_report_on_a_lake(lake, tmp_path):
    out = tmp_path / "exports"
    result = invoke("export", str(out), "-w", lake)
    assert result.exit_code == 0, result.output
    claims = duckdb.sql(
        f"select count(*) from read_parquet('{out}/claims/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert claims == (4,)
    assert (out / "entities.parquet").exists()

    page = tmp_path / "report.html"
    result = invoke("report", "-w", lake, "--out", str(page))
    assert result.exit_code == 0, result.output
    assert "4 articles" in " ".join(result.output.split())
    assert "<svg" in page.read_text(encoding="utf-8")


def _newsflow_ingest(sources, lake: str) -> str:
    """The real `newsflow ingest` command, against the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(
        [str(NEWSFLOW), "ingest", "--sources", str(sources), "--warehouse", lake],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return " ".join(done.stdout.split())


def test_ingest_into_a_lake_end_to_end(prefect_server, sources_file, tmp_path):  # noqa: F811
    lake = f"ducklake:sqlite:{tmp_path / 'lake' / 'catalog.sqlite'}"
    assert "3 new articles" in _newsflow_ingest(sources_file, lake)
    speakers = {row[0] for row in run_sql(lake, "SELECT speaker FROM claims").rows}
    assert "NHK" in speakers
    assert (tmp_path / "lake" / "warc").is_dir()  # the archive beside the catalog
    counts = run_sql(lake, "SELECT count(*) FROM articles").rows

    assert "0 new articles" in _newsflow_ingest(sources_file, lake)
    assert run_sql(lake, "SELECT count(*) FROM articles").rows == counts
    assert run_sql(lake, "SELECT count(*) FROM runs").rows == [(2,)]
