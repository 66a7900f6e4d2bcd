"""The deployments of newsflow, served from this process: `newsflow serve`.

| deployment | flow | schedule | concurrency |
| --- | --- | --- | --- |
| ingest | flows/ingest.py:ingest | every 15 minutes | 1, further runs queue (ENQUEUE) |
| reprocess | flows/reprocess.py:reprocess | on demand | 1, queued |
| maintenance | flows/maintenance.py:maintenance | daily at 03:30 UTC | 1, queued |

The same three are declared in prefect.yaml for `prefect deploy --all` and a process worker.
The warehouse lock keeps overlapping writers of *different* deployments safe too (each batch is a
transaction with stable ids; a writer that cannot have the file stages its batch).
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve as prefect_serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment

from flows.ingest import ingest
from flows.maintenance import maintenance
from flows.reprocess import reprocess

__all__ = ["INGEST_INTERVAL_MINUTES", "MAINTENANCE_CRON", "build_deployments", "serve"]

INGEST_INTERVAL_MINUTES = 15
MAINTENANCE_CRON = "30 3 * * *"


def one_at_a_time() -> ConcurrencyLimitConfig:
    """A writer's limit: one run at a time; a run due meanwhile waits for its turn."""
    return ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def build_deployments(
    sources_file: Path | str = "sources.yaml",
    warehouse: Path | str | None = None,
    *,
    interval_minutes: float = INGEST_INTERVAL_MINUTES,
    source_names: list[str] | None = None,
) -> list[RunnerDeployment]:
    """The ingest, reprocess and maintenance deployments, with absolute paths as parameters."""
    store = str(Path(warehouse).resolve()) if warehouse else None
    ingest_parameters: dict[str, object] = {
        "sources_file": str(Path(sources_file).resolve()),
        "warehouse": store,
    }
    if source_names:
        ingest_parameters["source_names"] = source_names
    return [
        ingest.to_deployment(
            name="ingest",
            interval=interval_minutes * 60,
            parameters=ingest_parameters,
            concurrency_limit=one_at_a_time(),
            description="One incremental ingest of the sources file.",
            tags=["newsflow", "writer"],
        ),
        reprocess.to_deployment(
            name="reprocess",
            parameters={"warehouse": store},
            concurrency_limit=one_at_a_time(),
            description="Re-derive stale articles from the WARC archive (run on demand).",
            tags=["newsflow", "writer"],
        ),
        maintenance.to_deployment(
            name="maintenance",
            cron=MAINTENANCE_CRON,
            parameters={"warehouse": store},
            concurrency_limit=one_at_a_time(),
            description="Merge staged batches, prune fetch_log, refresh the index, checkpoint.",
            tags=["newsflow", "writer"],
        ),
    ]


def serve(
    sources_file: Path | str = "sources.yaml",
    warehouse: Path | str | None = None,
    *,
    interval_minutes: float = INGEST_INTERVAL_MINUTES,
    source_names: list[str] | None = None,
) -> None:
    """Register the deployments with the server in PREFECT_API_URL and run them until stopped."""
    prefect_serve(
        *build_deployments(
            sources_file,
            warehouse,
            interval_minutes=interval_minutes,
            source_names=source_names,
        )
    )
