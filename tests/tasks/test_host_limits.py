"""Per-host politeness across processes: two processes fetch from one loopback host at once, and
the server side records when each request arrived and left."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from schemas.errors import FetchError
from schemas.records import FetchSettings
from tasks.host_limits import (
    LINGER_SECONDS,
    global_host_slot,
    host_limit_names,
    let_go_idle_slots,
)
from tests.request_spans import most_at_once, recording_handler

REPO = Path(__file__).resolve().parents[2]

# One fetching process: waits for the go file, so that both start together, then fetches.
_CHILD = """
import json, sys, time
from pathlib import Path
from schemas.records import Entry, FetchSettings
from tasks.fetch import fetch_entries

urls, settings, ready, go = json.loads(sys.argv[1])
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.01)
entries = [Entry(source="s", url=url) for url in urls]
documents, records = fetch_entries(entries, FetchSettings(**settings))
print(json.dumps({"documents": len(documents), "errors": [r.error for r in records if r.error]}))
"""


def _api_env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def _fetch_in_two_processes(
    server: HTTPServer, settings: FetchSettings, pages: int, tmp_path: Path
) -> list[dict]:
    """Two processes, each fetching `pages` URLs of `server` with `settings`, started together."""
    go = tmp_path / "go"
    children = []
    for worker in range(2):
        urls = [server.url_for(f"/page?worker={worker}&n={n}") for n in range(pages)]
        ready = tmp_path / f"ready-{worker}"
        argument = json.dumps([urls, settings.model_dump(), str(ready), str(go)])
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", _CHILD, argument],
                cwd=REPO,
                env=_api_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready-{w}").exists() for w in range(2)):
            assert time.monotonic() < deadline, "the fetching processes did not start"
            assert all(child.poll() is None for child in children), children[0].stderr.read()
            time.sleep(0.02)
        go.touch()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            child.kill()
    for child, (_, stderr) in zip(children, outputs, strict=True):
        assert child.returncode == 0, stderr
    return [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]


def _settings(**changes: object) -> FetchSettings:
    base = FetchSettings(
        allow_private_addresses=True,
        respect_robots=False,
        retries=0,
        delay_seconds=0,
        max_in_flight_per_host=1,
        max_concurrency=4,
    )
    return base.model_copy(update=changes)


def test_without_global_limits_two_processes_overlap_on_one_host(
    threaded_server: HTTPServer, tmp_path: Path
) -> None:
    spans: list[tuple[float, float]] = []
    threaded_server.expect_request("/page").respond_with_handler(recording_handler(spans, 0.3))

    results = _fetch_in_two_processes(
        threaded_server, _settings(global_host_limits=False), 3, tmp_path
    )

    assert [r["documents"] for r in results] == [3, 3]
    # Each process keeps its own limit of one: the host sees both at once.
    assert most_at_once(spans) == 2


def test_global_limits_hold_one_slot_for_two_processes(
    prefect_server: None, threaded_server: HTTPServer, tmp_path: Path
) -> None:
    spans: list[tuple[float, float]] = []
    threaded_server.expect_request("/page").respond_with_handler(recording_handler(spans, 0.3))

    results = _fetch_in_two_processes(
        threaded_server, _settings(global_host_limits=True), 2, tmp_path
    )

    assert results == [{"documents": 2, "errors": []}] * 2
    assert len(spans) == 4 and most_at_once(spans) == 1


def test_global_limits_space_request_starts_across_processes(
    prefect_server: None, threaded_server: HTTPServer, tmp_path: Path
) -> None:
    spans: list[tuple[float, float]] = []
    threaded_server.expect_request("/page").respond_with_handler(recording_handler(spans, 0.0))
    polite = _settings(global_host_limits=True, delay_seconds=0.4, max_in_flight_per_host=2)

    results = _fetch_in_two_processes(threaded_server, polite, 2, tmp_path)

    assert results == [{"documents": 2, "errors": []}] * 2
    arrivals = sorted(start for start, _ in spans)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(arrivals) == 4 and all(gap >= 0.4 * 0.8 for gap in gaps), gaps


def test_a_limit_is_tightened_never_loosened(prefect_server: None) -> None:
    from prefect.client.orchestration import get_client

    names = host_limit_names("tighten.example:8080")
    with global_host_slot("tighten.example:8080", 3, 0.2):
        pass
    with global_host_slot("tighten.example:8080", 1, 0.4):  # stricter: both change
        pass
    with global_host_slot("tighten.example:8080", 5, 0.1):  # looser: nothing changes
        pass
    let_go_idle_slots()
    with get_client(sync_client=True) as client:
        in_flight = client.read_global_concurrency_limit_by_name(names.in_flight)
        starts = client.read_global_concurrency_limit_by_name(names.starts)
    assert (in_flight.limit, in_flight.slot_decay_per_second) == (1, 0.0)
    assert (starts.limit, starts.slot_decay_per_second) == (1, 2.5)
    assert in_flight.active_slots == 0  # given back


def test_a_process_keeps_its_slot_while_busy_and_gives_it_back_when_idle(
    prefect_server: None,
) -> None:
    from prefect.client.orchestration import get_client

    name = host_limit_names("linger.example").in_flight
    with get_client(sync_client=True) as client:

        def active() -> int:
            return client.read_global_concurrency_limit_by_name(name).active_slots

        for _ in range(5):  # one request after another: one slot, asked for once
            with global_host_slot("linger.example", 2, 0.0):
                assert active() == 1
        deadline = time.monotonic() + 10 * LINGER_SECONDS
        while active() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert active() == 0


def test_limit_names_are_valid_prefect_names() -> None:
    names = host_limit_names("user:secret@News.Example.org:8080")
    assert names.in_flight == "newsflow-host-news.example.org:8080"
    assert names.starts == "newsflow-host-news.example.org:8080-starts"


def test_an_unreachable_server_is_a_transient_fetch_error(monkeypatch) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}),
        pytest.raises(FetchError) as raised,
        global_host_slot("unreachable.example", 1, 0.0),
    ):
        pass
    assert raised.value.transient
