"""The deployments of newsflow, served from this process: `newsflow serve`.

| deployment | flow | schedule | concurrency |
| --- | --- | --- | --- |
| ingest | flows/ingest.py:ingest | every 15 minutes | 1, further runs queue (ENQUEUE) |
| reprocess | flows/reprocess.py:reprocess | on demand | 1, queued |
| maintenance | flows/maintenance.py:maintenance | daily at 03:30 UTC | 1, queued |

The same three are declared in prefect.yaml for `prefect deploy --all` and a process worker.
The warehouse lock keeps overlapping writers of *different* deployments safe too (each batch is a
transaction with stable ids; a writer that cannot have the file stages its batch).

Several workers (docs/scaling.md): with a shard "i/n" the ingest deployment is `ingest-i-of-n`
and reads only that shard of the sources; shard 1 also carries reprocess and maintenance, so that
serving every shard serves each of those once. `deploy_to_pool` registers the n shards (and the
other two) on a work pool, for `prefect worker start --pool ...` on any number of machines.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import deploy as prefect_deploy
from prefect import serve as prefect_serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.exceptions import ObjectNotFound

from flows.ingest import ingest
from flows.maintenance import maintenance
from flows.reprocess import reprocess
from schemas.errors import ConfigError
from tasks.sources import parse_shard
from warehouse.location import warehouse_location

__all__ = [
    "INGEST_INTERVAL_MINUTES",
    "MAINTENANCE_CRON",
    "build_deployments",
    "deploy_to_pool",
    "ingest_deployment_name",
    "serve",
    "shards_of",
]

INGEST_INTERVAL_MINUTES = 15
MAINTENANCE_CRON = "30 3 * * *"


def one_at_a_time() -> ConcurrencyLimitConfig:
    """A writer's limit: one run at a time; a run due meanwhile waits for its turn."""
    return ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def ingest_deployment_name(shard: str | None = None) -> str:
    """`ingest`, or `ingest-i-of-n` for shard "i/n" (a deployment name may not hold a slash)."""
    if shard is None:
        return "ingest"
    index, count = parse_shard(shard)
    return f"ingest-{index}-of-{count}"


def shards_of(count: int) -> list[str | None]:
    """The shards "1/n" ... "n/n"; one unsharded run (None) when `count` is 1."""
    if count < 1:
        raise ConfigError(f"the number of shards must be at least 1 (got {count})")
    return [None] if count == 1 else [f"{i}/{count}" for i in range(1, count + 1)]


def _store(warehouse: Path | str | None) -> str | None:
    """The warehouse with absolute paths (a DuckDB file, a DuckLake catalog), for runs elsewhere."""
    return str(warehouse_location(warehouse).resolved()) if warehouse else None


def build_deployments(
    sources_file: Path | str = "sources.yaml",
    warehouse: Path | str | None = None,
    *,
    interval_minutes: float = INGEST_INTERVAL_MINUTES,
    source_names: list[str] | None = None,
    shard: str | None = None,
    dask: str | None = None,
    entrypoint_type: EntrypointType = EntrypointType.FILE_PATH,
) -> list[RunnerDeployment]:
    """The ingest, reprocess and maintenance deployments, with absolute paths as parameters.

    With `shard` ("i/n") the ingest deployment reads that shard only; reprocess and maintenance
    come with shard 1 alone. With `dask` (a scheduler address) ingest runs parse and NLP there.
    """
    store = _store(warehouse)
    ingest_parameters: dict[str, object] = {
        "sources_file": str(Path(sources_file).resolve()),
        "warehouse": store,
    }
    if source_names:
        ingest_parameters["source_names"] = source_names
    if shard is not None:
        ingest_parameters["shard"] = shard
    if dask is not None:
        ingest_parameters["dask"] = dask
    deployments = [
        ingest.to_deployment(
            name=ingest_deployment_name(shard),
            interval=interval_minutes * 60,
            parameters=ingest_parameters,
            concurrency_limit=one_at_a_time(),
            description="One incremental ingest of the sources file"
            + (f" (shard {shard} of its sources)." if shard else "."),
            tags=["newsflow", "writer"],
            entrypoint_type=entrypoint_type,
        ),
    ]
    if shard is not None and parse_shard(shard)[0] != 1:
        return deployments
    return [
        *deployments,
        reprocess.to_deployment(
            name="reprocess",
            parameters={"warehouse": store},
            concurrency_limit=one_at_a_time(),
            description="Re-derive stale articles from the WARC archive (run on demand).",
            tags=["newsflow", "writer"],
            entrypoint_type=entrypoint_type,
        ),
        maintenance.to_deployment(
            name="maintenance",
            cron=MAINTENANCE_CRON,
            parameters={"warehouse": store},
            concurrency_limit=one_at_a_time(),
            description="Merge staged batches, prune fetch_log, refresh the index, checkpoint.",
            tags=["newsflow", "writer"],
            entrypoint_type=entrypoint_type,
        ),
    ]


def deploy_to_pool(
    pool: str,
    sources_file: Path | str = "sources.yaml",
    warehouse: Path | str | None = None,
    *,
    shards: int = 1,
    interval_minutes: float = INGEST_INTERVAL_MINUTES,
    source_names: list[str] | None = None,
    working_dir: Path | str | None = None,
    dask: str | None = None,
) -> list[UUID]:
    """Register the deployments on work pool `pool`: ingest once per shard, the others once.

    A process worker of the pool runs them on its own machine, importing the flows from the
    installed newsflow package (entrypoints like `flows.ingest.ingest`): every worker machine
    installs newsflow and sees the sources file and the warehouse at the paths given here. Runs
    start in `working_dir` (else in a temporary folder of the worker), where relative paths and
    what lives beside a lake on a server (the WARC archive in ./warehouse) go.
    """
    deployments = [
        deployment
        for shard in shards_of(shards)
        for deployment in build_deployments(
            sources_file,
            warehouse,
            interval_minutes=interval_minutes,
            source_names=source_names,
            shard=shard,
            dask=dask,
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
    ]
    if working_dir is not None:
        for deployment in deployments:
            deployment.job_variables = {"working_dir": str(Path(working_dir).resolve())}
    _check_pool(pool)
    return prefect_deploy(
        *deployments,
        work_pool_name=pool,
        build=False,
        push=False,
        print_next_steps_message=False,
        ignore_warnings=True,
    )


def _check_pool(pool: str) -> None:
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound as error:
            raise ConfigError(
                f"no work pool {pool!r} on the Prefect server"
                f" (prefect work-pool create {pool} --type process)"
            ) from error


def serve(
    sources_file: Path | str = "sources.yaml",
    warehouse: Path | str | None = None,
    *,
    interval_minutes: float = INGEST_INTERVAL_MINUTES,
    source_names: list[str] | None = None,
    shard: str | None = None,
    dask: str | None = None,
) -> None:
    """Register the deployments with the server in PREFECT_API_URL and run them until stopped."""
    prefect_serve(
        *build_deployments(
            sources_file,
            warehouse,
            interval_minutes=interval_minutes,
            source_names=source_names,
            shard=shard,
            dask=dask,
        )
    )
