"""Shared fixtures: where the shared corpus is, and a fresh warehouse path per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from pytest_httpserver import HTTPServer

# CI replays the same generated inputs every run (`HYPOTHESIS_PROFILE=ci`, set by .ci/run), so a
# red build is a change's fault; a developer's run draws new ones and may find what CI never will.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Offline machine: Prefect must never try to reach the internet, in any test.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus beside the checkout; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not found beside the checkout")
    return CORPUS


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "test.duckdb"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session (it takes 15-20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def examples_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding the bundled examples, loaded by the stages' plain functions."""
    from schemas.records import FetchSettings
    from tasks.articles import articles_from_documents
    from tasks.discover import discover
    from tasks.fetch import fetch_entries
    from tasks.sources import load_settings
    from warehouse.load import load_batch
    from warehouse.search import refresh

    path = tmp_path_factory.mktemp("examples") / "examples.duckdb"
    settings = load_settings(REPO / "sources.yaml")
    fetch = FetchSettings(delay_seconds=0)
    for source in settings.sources:
        entries, log = discover(source, fetch, base_dir=REPO)
        docs, fetch_log = fetch_entries(entries, fetch, local_ok=True)
        records, failures = articles_from_documents(docs)
        load_batch(path, records, [*log, *fetch_log, *failures], run_id="examples")
    refresh(path)
    return path


# --- lakes (the ducklake backend) --------------------------------------------------------------

POSTGRES_ENV = "NEWSFLOW_TEST_POSTGRES"


def _psql(dsn: str, statement: str) -> None:
    import subprocess

    subprocess.run(
        ["psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c", statement],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (its connection string), dropped after.

    Skips when $NEWSFLOW_TEST_POSTGRES is unset (`bash .ci/postgres` starts a server and prints
    the value); fails, not skips, when it is set but the server does not answer.
    """
    import re
    import uuid

    from warehouse.lake import close_lakes

    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        pytest.skip(f"${POSTGRES_ENV} is not set: `export {POSTGRES_ENV}=$(bash .ci/postgres)`")
    name = f"newsflow_test_{uuid.uuid4().hex[:12]}"
    _psql(admin, f"CREATE DATABASE {name}")  # raises (the test errors) when unreachable
    try:
        yield re.sub(r"dbname=\S+", "", admin).strip() + f" dbname={name}"
    finally:
        close_lakes()  # a lake kept attached holds connections to the database
        _psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgres"])
def lake_location(request, tmp_path: Path, monkeypatch) -> Iterator[str]:
    """A new, empty lake: its catalog in SQLite, or in PostgreSQL (data files under tmp_path)."""
    from warehouse.lake import close_lakes

    if request.param == "sqlite":
        yield f"ducklake:sqlite:{tmp_path / 'lake' / 'catalog.sqlite'}"
    else:
        dsn = request.getfixturevalue("postgres_database")
        monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(tmp_path / "lake-data"))
        yield f"ducklake:postgres:{dsn}"
    close_lakes()


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A pytest-httpserver that answers requests in parallel (the default answers one at a time)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()
