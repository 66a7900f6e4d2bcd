"""Articles per second with 1 and 2 (or more) local Prefect workers, over one loopback corpus.

The set-up of docs/scaling.md on one machine: a Prefect server (on a fresh PostgreSQL database
when $NEWSFLOW_TEST_POSTGRES names a server, else on SQLite), a `process` work pool, the ingest
deployment split into one shard per worker (`newsflow deploy --shards k`), k `prefect worker start`
processes, and the AEB pages of bench/throughput.py served on loopback, spread over `--feeds`
feeds (8 feeds fall 4 and 4 into two shards), each feed on a host (port) of its own unless
`--hosts one`. For each worker count, a fresh warehouse and pool; the k runs start together and
the clock stops when the last one ends, so the figure includes what a run costs (its process
start, imports, model load), not the workers' own start-up.

Each measurement prints one JSON line. Sharded runs keep per-host politeness with Prefect global
concurrency limits (on by default for a shard: `--global-limits auto`); `on`/`off` force it, to see
its cost. A run parses and extracts in one local process per core; `--nlp-processes 1` keeps each
run to one, so that k workers use k cores.

    .venv/bin/python -m bench.workers --pages 400 --workers 1,2          # about 6 minutes here
    .venv/bin/python -m bench.workers --pages 400 --warehouse ducklake-postgres
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack, redirect_stdout
from pathlib import Path
from typing import Any

import yaml

from bench._cluster import (
    POSTGRES_ENV,
    Cluster,
    asyncpg_url,
    await_runs,
    create_process_pool,
    fresh_database,
    libpq_dsn,
    libpq_fields,
    local_cluster,
    using_api,
)
from bench.throughput import PAGES_PER_FEED, CorpusSite, aeb_pages, serve, sources_yaml

# Offline machine: Prefect (imported later) must not phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

RUN_SECONDS = 3600
WAREHOUSES = ("duckdb", "ducklake-sqlite", "ducklake-postgres")


def _postgres() -> dict[str, str] | None:
    dsn = os.environ.get(POSTGRES_ENV)
    return libpq_fields(dsn) if dsn else None


def new_warehouse(kind: str, folder: Path, stack: ExitStack) -> str:
    """An empty warehouse of `kind` in `folder` (a lake on PostgreSQL: a fresh database, dropped
    when `stack` closes)."""
    from warehouse.db import connect
    from warehouse.location import DATA_PATH_ENV

    if kind == "duckdb":
        location = str(folder / "warehouse" / "newsflow.duckdb")
    elif kind == "ducklake-sqlite":
        location = f"ducklake:sqlite:{folder / 'lake' / 'catalog.sqlite'}"
    else:
        postgres = _postgres()
        if postgres is None:
            raise SystemExit(f"--warehouse {kind} needs ${POSTGRES_ENV}")
        catalog = stack.enter_context(fresh_database(postgres, "benchlake"))
        os.environ[DATA_PATH_ENV] = str(folder / "lake-data")
        location = f"ducklake:postgres:{libpq_dsn(catalog)}"
    with connect(location):
        pass
    return location


def _articles(warehouse: str) -> int:
    from warehouse.query import run_sql
    from warehouse.staging import StagedBatch, load_or_stage

    if not warehouse.startswith("ducklake:"):
        load_or_stage(warehouse, StagedBatch([], []))  # merge what was staged while busy
    [(count,)] = run_sql(warehouse, "SELECT count(*) FROM articles").rows
    return count


def _sources(bases: list[str], site: CorpusSite, folder: Path, global_limits: str) -> Path:
    """sources.yaml for `site`; feed k is read from host `bases[k % len(bases)]`."""
    fetch: dict[str, Any] = {}
    if global_limits != "auto":
        fetch["global_host_limits"] = global_limits == "on"
    # Every copy of a page extracted: with dedupe on, a copy is skipped only when its first copy
    # fell in the same run, so shards would do more NLP than one run over everything.
    settings = yaml.safe_load(sources_yaml(bases[0], site, dedupe=False, **fetch))
    for k, (source, feed) in enumerate(zip(settings["sources"], site.feed_paths(), strict=True)):
        source["url"] = bases[k % len(bases)] + feed
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def _task_seconds(cluster: Cluster, runs: Sequence[Any]) -> dict[str, float]:
    """Seconds spent in each kind of task run (discover, fetch, parse-and-extract, load), summed
    over the runs: where the time went."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    totals: dict[str, float] = {}
    with using_api(cluster.api), get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id for run in runs])),
            limit=200,  # the API's most; a run makes a few tasks per source
        )
    for task_run in task_runs:
        if task_run.start_time and task_run.end_time:
            kind = task_run.name.rsplit("-", 1)[0]
            seconds = (task_run.end_time - task_run.start_time).total_seconds()
            totals[kind] = round(totals.get(kind, 0.0) + seconds, 2)
    return totals


def _run_seconds(run: Any) -> float | None:
    if run.start_time is None or run.end_time is None:
        return None
    return round((run.end_time - run.start_time).total_seconds(), 2)


def measure(
    cluster: Cluster, workers: int, site: CorpusSite, bases: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """One measurement: `workers` workers, one shard each, a fresh warehouse and pool."""
    from prefect.deployments import run_deployment

    from flows.serve import deploy_to_pool, ingest_deployment_name, shards_of

    folder = Path(tempfile.mkdtemp(prefix=f"workers-{workers}-", dir=cluster.folder))
    pool = f"bench-{workers}-{folder.name}"
    with ExitStack() as stack:
        warehouse = new_warehouse(args.warehouse, folder, stack)
        sources = _sources(bases, site, folder, args.global_limits)
        create_process_pool(cluster.api, pool)
        names = cluster.start_workers(pool, workers, prefix=pool)
        with using_api(cluster.api), redirect_stdout(sys.stderr):  # stdout: JSON lines only
            deploy_to_pool(pool, sources, warehouse, shards=workers, working_dir=folder)
            time.sleep(3)  # the workers' first poll: their start-up is not what we measure
            started = time.perf_counter()
            parameters = {"workers": args.nlp_processes} if args.nlp_processes else {}
            runs = [
                run_deployment(
                    f"ingest/{ingest_deployment_name(shard)}", parameters=parameters, timeout=0
                )
                for shard in shards_of(workers)
            ]
        finished = await_runs(cluster, [run.id for run in runs], RUN_SECONDS)
        seconds = time.perf_counter() - started
        for name in names:  # stop this measurement's workers before the next one
            cluster.stop(name)
        articles = _articles(warehouse)
    states = [run.state.type.value for run in finished]
    return {
        "workers": workers,
        "pages": site.count,
        "feeds": site.feeds,
        "hosts": len(bases),
        "warehouse": args.warehouse,
        "global_limits": args.global_limits,
        "nlp_processes_per_run": args.nlp_processes or "one per core",
        "prefect_database": "postgresql" if _postgres() else "sqlite",
        "articles": articles,
        "seconds": round(seconds, 2),
        "articles_per_second": round(articles / seconds, 2),
        "run_seconds": [_run_seconds(run) for run in finished],
        "task_seconds": _task_seconds(cluster, finished),
        "states": states,
        "cpus": os.cpu_count(),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=400, help="articles in the corpus")
    parser.add_argument("--feeds", type=int, default=8, help="feeds (sources) they spread over")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--warehouse", choices=WAREHOUSES, default="duckdb")
    parser.add_argument("--global-limits", choices=("auto", "on", "off"), default="auto")
    parser.add_argument(
        "--hosts",
        choices=("per-feed", "one"),
        default="per-feed",
        help="each feed on a host of its own, or every feed on one (the workers then share it)",
    )
    parser.add_argument(
        "--nlp-processes",
        type=int,
        default=None,
        help="parse/NLP processes per run (the flow's `workers`; default one per core)",
    )
    args = parser.parse_args(argv)
    if args.pages > args.feeds * PAGES_PER_FEED:
        parser.error(f"at most {PAGES_PER_FEED} pages per feed: raise --feeds")
    site = CorpusSite(aeb_pages(), count=args.pages, feeds=args.feeds)
    postgres = _postgres()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nf-workers-")))
        database = (
            asyncpg_url(stack.enter_context(fresh_database(postgres, "benchprefect")))
            if postgres
            else None
        )
        cluster = stack.enter_context(local_cluster(folder, database))
        # A host is a loopback port: one per feed, as news sites have their own, or one for all.
        hosts = site.feeds if args.hosts == "per-feed" else 1
        bases = [stack.enter_context(serve(site)) for _ in range(hosts)]
        for workers in (int(count) for count in args.workers.split(",")):
            print(json.dumps(measure(cluster, workers, site, bases, args)), flush=True)


if __name__ == "__main__":
    main()
