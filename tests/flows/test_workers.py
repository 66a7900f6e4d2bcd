"""Two Prefect workers, one shard of the sources each, against a Prefect server on PostgreSQL.

Real processes on this machine (bench/_cluster.py): a `prefect server start` on a fresh PostgreSQL
database, a `process` work pool, the ingest deployments of shards 1/2 and 2/2, two `prefect worker
start` (one flow run at a time each, so each takes one shard), both runs started at once, and a
reader querying the warehouse while they write. Afterwards the warehouse holds every article of
the loopback corpus exactly once. Every process started here is killed at teardown, even on
failure.

Needs PostgreSQL: `NEWSFLOW_TEST_POSTGRES` (set by .ci/postgres) names a server where the user
may create databases; the test skips when it is unset and fails when it is set but unreachable.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench._cluster import (
    POSTGRES_ENV,
    Cluster,
    asyncpg_url,
    await_runs,
    create_process_pool,
    fresh_database,
    libpq_fields,
    local_cluster,
    postgres_execute,
    using_api,
)
from tests.request_spans import most_at_once

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted((REPO / "examples" / "docs").glob("*.txt"))
# Two sources per shard: tasks.sources pins which shard a name falls in (tests/tasks/test_shards).
FEEDS = {"feed-a": 1, "feed-b": 1, "feed-c": 2, "feed-e": 2}
PAGES_PER_FEED = 4
RUN_SECONDS = 420


@pytest.fixture(scope="module")
def postgres() -> dict[str, str]:
    dsn = os.environ.get(POSTGRES_ENV)
    if not dsn:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/postgres starts PostgreSQL and sets it)")
    fields = libpq_fields(dsn)
    try:
        postgres_execute(fields, "SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure to connect is the same finding
        pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL does not answer: {error}")
    return fields


@pytest.fixture(scope="module")
def cluster(postgres: dict[str, str], tmp_path_factory) -> Iterator[Cluster]:
    """A Prefect server on a fresh PostgreSQL database and two workers of pool `newsflow`."""
    folder = tmp_path_factory.mktemp("cluster")
    with (
        fresh_database(postgres, "prefect") as database,
        local_cluster(folder, asyncpg_url(database)) as running,
    ):
        create_process_pool(running.api, "newsflow")
        running.start_workers("newsflow", 2)
        yield running


@pytest.fixture(
    params=[
        pytest.param("ducklake-postgres"),  # the layout for several machines: docs/scaling.md
        pytest.param("ducklake-sqlite", marks=pytest.mark.slow),
        pytest.param("duckdb", marks=pytest.mark.slow),
    ]
)
def warehouse(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty warehouse of each kind, created (the reader reads it from the start)."""
    from warehouse.db import connect
    from warehouse.lake import close_lakes
    from warehouse.location import DATA_PATH_ENV

    if request.param == "duckdb":
        location = str(tmp_path / "warehouse" / "newsflow.duckdb")
    elif request.param == "ducklake-sqlite":
        location = f"ducklake:sqlite:{tmp_path / 'lake' / 'catalog.sqlite'}"
    else:
        monkeypatch.setenv(DATA_PATH_ENV, str(tmp_path / "lake-data"))
        location = f"ducklake:postgres:{request.getfixturevalue('postgres_database')}"
    with connect(location):
        pass
    yield location
    close_lakes()


# -- the corpus ----------------------------------------------------------------------------------


def _page_text(feed: str, n: int) -> str:
    body = DOCS[n % len(DOCS)].read_text(encoding="utf-8")
    return body.replace("\n", f"\nThis is story {n} of {feed}.\n", 1)


def serve_corpus(server: HTTPServer, spans: list[tuple[float, float]]) -> list[str]:
    """Feeds with PAGES_PER_FEED text pages each; returns every page URL."""
    lock = threading.Lock()

    def page(request: Request) -> Response:
        arrived = time.monotonic()
        _, feed, name = request.path.split("/")
        text = _page_text(feed, int(name.removesuffix(".txt")))
        time.sleep(0.02)  # long enough for requests to overlap if nothing kept them apart
        with lock:
            spans.append((arrived, time.monotonic()))
        return Response(text, content_type="text/plain; charset=utf-8")

    urls = []
    server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    for feed in FEEDS:
        links = [server.url_for(f"/{feed}/{n}.txt") for n in range(PAGES_PER_FEED)]
        items = "".join(f"<item><link>{link}</link></item>" for link in links)
        server.expect_request(f"/{feed}.xml").respond_with_data(
            f'<rss version="2.0"><channel>{items}</channel></rss>',
            content_type="application/rss+xml",
        )
        for n in range(PAGES_PER_FEED):
            server.expect_request(f"/{feed}/{n}.txt").respond_with_handler(page)
        urls += links
    return urls


def write_sources(path: Path, server: HTTPServer) -> Path:
    fetch = {
        "allow_private_addresses": True,
        "retries": 1,
        "delay_seconds": 0,
        "max_in_flight_per_host": 2,
    }
    sources = [{"name": f, "kind": "feed", "url": server.url_for(f"/{f}.xml")} for f in FEEDS]
    path.write_text(yaml.safe_dump({"fetch": fetch, "sources": sources}))
    return path


# -- the test ----------------------------------------------------------------------------------


class Reader(threading.Thread):
    """Queries the warehouse again and again while the workers write; notes every outcome."""

    def __init__(self, warehouse: str) -> None:
        super().__init__(daemon=True)
        self.warehouse = warehouse
        self.counts: list[int] = []
        self.errors: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        from warehouse.query import run_sql

        while not self.done.is_set():
            try:
                [(count,)] = run_sql(self.warehouse, "SELECT count(*) FROM articles").rows
                self.counts.append(count)
            except Exception as error:  # noqa: BLE001 - every failure is what the test reports
                self.errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.2)


def _settle(warehouse: str) -> None:
    """What the next run's first write does: merge batches staged while the file was busy (a
    DuckDB file only: a lake takes every writer at once)."""
    from warehouse.staging import StagedBatch, load_or_stage

    if not warehouse.startswith("ducklake:"):
        load_or_stage(warehouse, StagedBatch([], []))


def test_two_workers_ingest_disjoint_shards_into_one_warehouse(
    cluster: Cluster, warehouse: str, threaded_server: HTTPServer, tmp_path: Path
) -> None:
    from prefect.deployments import run_deployment

    from flows.serve import deploy_to_pool
    from warehouse.query import run_sql

    spans: list[tuple[float, float]] = []
    urls = serve_corpus(threaded_server, spans)
    sources = write_sources(tmp_path / "sources.yaml", threaded_server)
    with using_api(cluster.api):
        deploy_to_pool("newsflow", sources, warehouse, shards=2, working_dir=tmp_path)
        runs = [run_deployment(f"ingest/ingest-{i}-of-2", timeout=0) for i in (1, 2)]
    reader = Reader(warehouse)
    reader.start()
    try:
        finished = await_runs(cluster, [run.id for run in runs], RUN_SECONDS)
    finally:
        reader.done.set()
        reader.join(timeout=30)

    for run in finished:
        assert run.state.is_completed(), f"{run.name}: {run.state.message}"
        assert run.state.message.startswith(f"{2 * PAGES_PER_FEED} new, 0 updated, 0 errors")
    # One shard each: with one flow run at a time per worker, each took one of the two.
    for n in (1, 2):
        log = cluster.log(f"worker-{n}")
        ran = [run for run in finished if f"'{run.name}' submitted to infrastructure" in log]
        assert len(ran) == 1, log[-3000:]
    # The reader was answered all along, and saw the articles arrive batch by batch.
    assert not reader.errors, reader.errors[:3]
    assert any(0 < count < len(urls) for count in reader.counts), reader.counts
    assert reader.counts == sorted(reader.counts)
    _settle(warehouse)
    stored = run_sql(warehouse, "SELECT url FROM articles").rows
    assert sorted(url for (url,) in stored) == sorted(urls)  # none lost, none twice
    for table, key in (("claims", "claim_id"), ("events", "event_id")):
        [(rows, distinct)] = run_sql(
            warehouse, f"SELECT count(*), count(DISTINCT {key}) FROM {table}"
        ).rows
        assert rows == distinct > 0, table
    # Politeness across both workers: the one host never had more than its 2 slots in flight.
    assert len(spans) == len(urls) and most_at_once(spans) <= 2
