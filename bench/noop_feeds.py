"""The no-op incremental run: 100 feeds that have not changed since the last run (all 304).

A loopback server serves 100 feeds of one small article each; a first `newsflow ingest` stores
them (and each feed's ETag). Then, timed:

- `noop_ingest`: `newsflow ingest` again: every feed answers 304, nothing is fetched or written
  but the fetch log and the run record;
- `noop_flow`: a Prefect flow that does nothing, run the same way (a fresh process, the same
  Prefect server), the floor any flow run pays.

Both are measured as whole commands (start-up included, as a schedule pays it) and in-process
(the flow call alone, in this process, after a warm-up call). One JSON line per measurement, then
the ratios.

    .venv/bin/python -m bench.noop_feeds            # about 2 minutes here
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.throughput import NEWSFLOW, CorpusSite, prefect_api, serve, sources_yaml

FEEDS = 100
_PAGE = (
    "<html><head><title>Council meets</title></head><body><article><h1>Council meets</h1>"
    + "<p>The city council met on Monday and agreed to repair the bridge, its chair said.</p>" * 8
    + "</article></body></html>"
)
_NOOP_FLOW = """
from prefect import flow

@flow(name="noop")
def noop() -> None:
    return None

noop()
"""


def _timed(command: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def _in_process(call, repeats: int) -> float:
    call()  # warm-up: imports, client, first API round trips
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=FEEDS)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    site = CorpusSite(
        {"council": gzip.compress(_PAGE.encode())}, count=args.feeds, feeds=args.feeds
    )
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    with (
        prefect_api(env) as bench_env,
        serve(site) as base,
        tempfile.TemporaryDirectory(prefix="nf-noop-") as tmp,
    ):
        workdir = Path(tmp)
        sources = workdir / "sources.yaml"
        sources.write_text(sources_yaml(base, site))
        warehouse = workdir / "warehouse" / "noop.duckdb"
        ingest = [str(NEWSFLOW), "ingest", "--sources", str(sources), "--warehouse", str(warehouse)]
        first = _timed(ingest, bench_env, workdir)
        site.statuses.clear()
        noop_ingest = min(_timed(ingest, bench_env, workdir) for _ in range(args.repeats))
        statuses = dict(site.statuses)
        noop_flow = min(
            _timed([sys.executable, "-c", _NOOP_FLOW], bench_env, workdir)
            for _ in range(args.repeats)
        )
        os.environ["PREFECT_API_URL"] = bench_env["PREFECT_API_URL"]
        from prefect import flow

        from flows.ingest import ingest as ingest_flow

        @flow(name="noop")
        def noop() -> None:
            return None

        ingest_inproc = _in_process(lambda: ingest_flow(str(sources), str(warehouse)), args.repeats)
        noop_inproc = _in_process(noop, args.repeats)
    for record in (
        {"measure": "first_ingest_seconds", "feeds": args.feeds, "value": round(first, 2)},
        {
            "measure": "noop_ingest_seconds",
            "feeds": args.feeds,
            "value": round(noop_ingest, 2),
            "answers_by_status": statuses,
        },
        {"measure": "noop_flow_seconds", "value": round(noop_flow, 2)},
        {"measure": "noop_ingest_in_process_seconds", "value": round(ingest_inproc, 3)},
        {"measure": "noop_flow_in_process_seconds", "value": round(noop_inproc, 3)},
        {
            "measure": "ratios",
            "noop_ingest_over_noop_flow": round(noop_ingest / noop_flow, 2),
            "in_process": round(ingest_inproc / noop_inproc, 2),
        },
    ):
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
