"""Deployments for several workers: one ingest per shard, registered on a work pool; the
`--shard` and `deploy` commands over them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.serve import build_deployments, deploy_to_pool, ingest_deployment_name, shards_of
from schemas.errors import ConfigError

runner = CliRunner()


def test_shard_one_carries_reprocess_and_maintenance_the_others_ingest_only(tmp_path: Path):
    first = build_deployments(tmp_path / "sources.yaml", tmp_path / "w.duckdb", shard="1/2")
    second = build_deployments(tmp_path / "sources.yaml", tmp_path / "w.duckdb", shard="2/2")
    assert [d.name for d in first] == ["ingest-1-of-2", "reprocess", "maintenance"]
    assert [d.name for d in second] == ["ingest-2-of-2"]
    assert second[0].parameters["shard"] == "2/2"
    assert "shard" not in build_deployments(tmp_path / "sources.yaml")[0].parameters


def test_shards_of_a_count() -> None:
    assert shards_of(1) == [None]
    assert shards_of(3) == ["1/3", "2/3", "3/3"]
    assert [ingest_deployment_name(shard) for shard in shards_of(2)] == [
        "ingest-1-of-2",
        "ingest-2-of-2",
    ]
    with pytest.raises(ConfigError):
        shards_of(0)


def test_a_lake_location_is_passed_as_given_and_a_file_made_absolute(tmp_path: Path) -> None:
    lake = "ducklake:postgres:dbname=lake host=db user=newsflow"
    [ingest, *_] = build_deployments(tmp_path / "s.yaml", lake, dask="tcp://10.0.0.5:8786")
    assert ingest.parameters["warehouse"] == lake
    assert ingest.parameters["dask"] == "tcp://10.0.0.5:8786"
    [ingest, *_] = build_deployments("s.yaml", Path("warehouse") / "w.duckdb")
    assert ingest.parameters["warehouse"] == str(Path("warehouse/w.duckdb").resolve())


def test_deploy_to_pool_registers_every_shard_for_process_workers(prefect_server, tmp_path: Path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="shards", type="process"), overwrite=True)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n")

    deploy_to_pool("shards", sources, tmp_path / "w.duckdb", shards=3, working_dir=tmp_path)

    with get_client(sync_client=True) as client:
        for i in (1, 2, 3):
            deployment = client.read_deployment_by_name(f"ingest/ingest-{i}-of-3")
            assert deployment.work_pool_name == "shards"
            # Imported from the installed package on the worker: no code to download.
            assert deployment.entrypoint == "flows.ingest.ingest"
            assert deployment.parameters["shard"] == f"{i}/3"
            assert deployment.job_variables == {"working_dir": str(tmp_path)}
            assert deployment.global_concurrency_limit.limit == 1
        assert client.read_deployment_by_name("maintenance/maintenance").work_pool_name == "shards"


def test_deploy_to_a_missing_pool_is_a_config_error(prefect_server, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="prefect work-pool create nowhere"):
        deploy_to_pool("nowhere", tmp_path / "sources.yaml", shards=2)


@pytest.mark.parametrize("command", ["ingest", "serve"])
def test_a_malformed_shard_fails_before_anything_starts(command: str) -> None:
    result = runner.invoke(app, [command, "--shard", "3/2"])
    assert result.exit_code == 2
    assert "shard" in result.output


def test_deploy_needs_a_server(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n")
    result = runner.invoke(app, ["deploy", "--pool", "p", "--sources", str(sources)])
    assert result.exit_code == 1
    assert "PREFECT_API_URL" in result.output


def test_deploy_has_help_with_an_example() -> None:
    result = runner.invoke(app, ["deploy", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--shards" in result.output
