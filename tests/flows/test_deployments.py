"""The deployments: prefect.yaml registers with `prefect deploy --all`, the served deployments
carry the writer limit, and a run started from a deployment completes as under a worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "docs" / "us-japan-talks-london.txt"


def _env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def _read(name: str):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_deployment_by_name(name)


def _assert_one_writer_at_a_time(deployment) -> None:
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    assert deployment.global_concurrency_limit.limit == 1
    strategy = deployment.concurrency_options.collision_strategy
    assert strategy == ConcurrencyLimitStrategy.ENQUEUE


@pytest.mark.slow  # about two minutes: `prefect deploy` imports every flow in a fresh process
def test_prefect_yaml_deploys_all_three_to_a_server(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="newsflow", type="process"), overwrite=True)

    done = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    ingest = _read("ingest/ingest")
    assert ingest.work_pool_name == "newsflow"
    assert ingest.parameters == {"sources_file": "sources.yaml"}
    assert [s.schedule.interval.total_seconds() for s in ingest.schedules] == [900]
    maintenance = _read("maintenance/maintenance")
    assert [s.schedule.cron for s in maintenance.schedules] == ["30 3 * * *"]
    assert _read("reprocess/reprocess").schedules == []
    for deployment in (ingest, maintenance, _read("reprocess/reprocess")):
        _assert_one_writer_at_a_time(deployment)


def test_a_served_deployment_runs_like_a_worker_would(
    prefect_server, httpserver: HTTPServer, tmp_path, warehouse_path
):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from flows.serve import build_deployments
    from warehouse.query import run_sql

    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    link = httpserver.url_for("/talks")
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><item><link>{link}</link></item></channel></rss>',
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/talks").respond_with_data(
        SEED.read_bytes(), content_type="text/plain"
    )
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
                "sources": [{"name": "s", "kind": "feed", "url": httpserver.url_for("/feed.xml")}],
            }
        )
    )
    deployments = build_deployments(sources, warehouse_path, interval_minutes=60)
    assert [d.name for d in deployments] == ["ingest", "reprocess", "maintenance"]
    ingest = deployments[0]
    ingest.name = "ingest-served"
    ingest.apply()
    _assert_one_writer_at_a_time(_read("ingest/ingest-served"))

    flow_run = run_deployment("ingest/ingest-served", timeout=0)
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "flow-run", "execute", str(flow_run.id)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run.id).state
    assert state.is_completed() and state.message.startswith("1 new, 0 updated")
    assert run_sql(warehouse_path, "SELECT count(*) FROM articles").rows == [(1,)]
