"""How long an ingest run takes when nothing changed: 20 feeds on a loopback server, each
answering 304 to the run's conditional GET, against a flow run that does nothing at all.

Run: .venv/bin/python -m bench.noop_run [--feeds 20] [--repeat 3]
(starts a temporary Prefect server, about 20 s, then one real run to fill the warehouse)
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import typer
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO = Path(__file__).resolve().parents[1]
PAGE = (REPO / "examples" / "docs" / "port-strike-talks.txt").read_bytes()


def _serve_feeds(server: HTTPServer, feeds: int) -> None:
    server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    server.expect_request("/page").respond_with_data(PAGE, content_type="text/plain")
    for n in range(feeds):
        etag = f'"feed-{n}"'
        link = server.url_for(f"/page?feed={n}")
        body = (
            f'<rss version="2.0"><channel><title>{n}</title>'
            f"<item><title>story {n}</title><link>{link}</link></item></channel></rss>"
        )

        def respond(request: Request, etag: str = etag, body: str = body) -> Response:
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

        server.expect_request(f"/feed-{n}.xml").respond_with_handler(respond)


def _sources(folder: Path, server: HTTPServer, feeds: int) -> Path:
    path = folder / "sources.yaml"
    config = {
        "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
        "sources": [
            {"name": f"feed-{n}", "kind": "feed", "url": server.url_for(f"/feed-{n}.xml")}
            for n in range(feeds)
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main(feeds: int = 20, repeat: int = 3) -> None:
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    from flows.ingest import ingest

    @flow(name="nothing")
    def nothing() -> None:
        return None

    with (
        TemporaryDirectory() as tmp,
        HTTPServer() as server,
        prefect_test_harness(server_startup_timeout=120),
    ):
        _serve_feeds(server, feeds)
        sources = _sources(Path(tmp), server, feeds)
        warehouse = str(Path(tmp) / "warehouse" / "bench.duckdb")
        first = _seconds(lambda: ingest(str(sources), warehouse))
        nothing()  # warm-up: the first flow run of a process pays for imports and clients
        noop = [_seconds(lambda: ingest(str(sources), warehouse)) for _ in range(repeat)]
        empty = [_seconds(nothing) for _ in range(repeat)]
    noop_s, empty_s = statistics.median(noop), statistics.median(empty)
    print(f"feeds: {feeds}, repeats: {repeat} (medians)")
    print(f"first run (fetch, extract, load {feeds} articles): {first:.2f} s")
    print(f"no-op ingest run (every feed 304):               {noop_s:.2f} s")
    print(f"flow run that does nothing:                      {empty_s:.2f} s")
    print(f"ratio no-op ingest / empty flow:                 {noop_s / empty_s:.1f}x")
    per_feed_ms = (noop_s - empty_s) / feeds * 1000
    print(f"per feed above the empty flow:                   {per_feed_ms:.0f} ms")


if __name__ == "__main__":
    typer.run(main)
