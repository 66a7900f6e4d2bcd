"""The `newsflow` command line: exit codes, output formats, and the parse contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.factories import make_article
from warehouse.load import load_batch

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_every_command_has_help_with_an_example():
    for command in ("ingest", "parse", "sql"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output


def test_parse_seed_jsonl_follows_the_contract(corpus):
    seed = corpus / "seed-article.txt"
    result = runner.invoke(app, ["parse", str(seed), "--jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["published"] == "2021-05-04"
    raw = seed.read_text(encoding="utf-8")
    assert record["text"] in raw and not record["text"].lstrip().startswith("date ")
    for claim in record["claims"]:
        assert record["text"][claim["content_start"] : claim["content_end"]] == claim["content"]
    assert {"CONSULT"} <= {event["event_type"] for event in record["events"]}


def test_parse_only_and_manifest(tmp_path):
    doc = REPO / "examples" / "docs" / "port-strike-talks.txt"
    manifest = tmp_path / "batch.jsonl"
    manifest.write_text(
        json.dumps({"path": str(doc), "url": "https://example.org/port"})
        + "\n"
        + json.dumps({"path": "does-not-exist.txt"})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["parse", "--manifest", str(manifest), "--jsonl", "--parse-only"])
    assert result.exit_code == 1  # one input failed
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["url"] == "https://example.org/port"
    assert first["published"] == "2024-03-20"
    assert first["claims"] == [] and first["events"] == []
    assert "error" in second


def test_sql_formats_and_errors(warehouse_path):
    load_batch(warehouse_path, [make_article()])
    query = "select url, title from articles"
    as_json = runner.invoke(app, ["sql", query, "-w", str(warehouse_path), "--format", "json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == [
        {"url": "https://news.example.org/a", "title": "Officials meet"}
    ]
    as_csv = runner.invoke(app, ["sql", query, "-w", str(warehouse_path), "--format", "csv"])
    assert as_csv.stdout.splitlines()[0] == "url,title"
    bad = runner.invoke(app, ["sql", "select nope from articles", "-w", str(warehouse_path)])
    assert bad.exit_code == 1
    assert "SQL error" in bad.output and "Traceback" not in bad.output


@pytest.mark.parametrize("statement", ["delete from articles", "drop table claims"])
def test_sql_is_read_only_unless_asked(warehouse_path, statement):
    load_batch(warehouse_path, [make_article()])
    refused = runner.invoke(app, ["sql", statement, "-w", str(warehouse_path)])
    assert refused.exit_code == 1
    count = runner.invoke(
        app, ["sql", "select count(*) as n from articles", "-w", str(warehouse_path), "-f", "json"]
    )
    assert json.loads(count.stdout) == [{"n": 1}]


def test_sql_on_a_missing_warehouse_says_so(tmp_path):
    result = runner.invoke(app, ["sql", "select 1", "-w", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "newsflow ingest" in result.output
