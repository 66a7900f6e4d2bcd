"""`newsflow sql | search | export | report`: what a person types and sees."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from flows.cli import app
from tests.factories import make_article
from tests.warehouse.lock_holder import held
from warehouse.load import load_batch

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_help_of_each_query_command_has_an_example():
    for command in ("sql", "search", "export", "report"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output


def test_sql_markdown_and_schema(examples_warehouse):
    wh = str(examples_warehouse)
    md = invoke(
        "sql",
        "select source, count(*) as n from articles group by 1 order by 1",
        "-w",
        wh,
        "--format",
        "markdown",
    )
    assert md.exit_code == 0
    assert md.stdout.splitlines()[:2] == ["| source | n |", "| --- | --- |"]
    schema = invoke("sql", "--schema", "-w", wh, "--format", "json")
    described = {(r["table"], r["column"]): r for r in json.loads(schema.stdout)}
    assert described[("claims", "speaker")]["meaning"].startswith("The source resolved")
    assert ("actor_pairs", "events") in described


def test_search_command_prints_ranked_hits(examples_warehouse):
    result = invoke("search", "South China Sea", "-w", str(examples_warehouse), "-f", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits and "us-japan-talks-london" in hits[0]["url"]
    claims = invoke(
        "search",
        "Moyale",
        "--claims",
        "--since",
        "2024-01-01",
        "-w",
        str(examples_warehouse),
        "-f",
        "json",
    )
    assert claims.exit_code == 0 and json.loads(claims.stdout)
    bad = invoke("search", "x", "--since", "yesterday", "-w", str(examples_warehouse))
    assert bad.exit_code != 0


def test_export_and_report_commands(examples_warehouse, tmp_path):
    exported = invoke("export", str(tmp_path / "out"), "-w", str(examples_warehouse))
    assert exported.exit_code == 0 and (tmp_path / "out" / "claims").is_dir()
    report = invoke("report", "--out", str(tmp_path / "r.html"), "-w", str(examples_warehouse))
    assert report.exit_code == 0 and "wrote" in report.stdout
    assert (tmp_path / "r.html").stat().st_size > 2000


def test_locked_warehouse_gives_a_message_not_a_traceback(warehouse_path):
    load_batch(warehouse_path, [make_article()])
    with held(warehouse_path):
        result = invoke("sql", "select 1", "-w", str(warehouse_path))
    assert result.exit_code == 1
    assert "locked" in result.output and "Traceback" not in result.output
