"""Shared fixtures: where the shared corpus is, and a fresh warehouse path per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
