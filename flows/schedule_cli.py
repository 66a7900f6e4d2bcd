"""The commands that keep the warehouse up to date on a schedule: serve, deploy and reprocess.

Each is a few lines over the flow of the same name; errors become a message and exit code 1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.query_cli import WarehouseOption, err, fail, out
from schemas.errors import ConfigError, NewsflowError
from tasks.sources import parse_shard


def _valid_shard(shard: str | None) -> str | None:
    """Checked before any flow starts: a typo fails at once, not after the server is up."""
    if shard is not None:
        try:
            parse_shard(shard)
        except ConfigError as error:
            raise typer.BadParameter(str(error)) from None
    return shard


ShardOption = Annotated[
    str | None,
    typer.Option(
        help="only shard i of n of the sources (1/2, 2/2: two workers, each half the feeds)",
        callback=_valid_shard,
    ),
]
SourceNamesOption = Annotated[
    list[str] | None, typer.Option("--source", help="only this source (repeatable)")
]
EveryOption = Annotated[float, typer.Option(help="minutes between two ingest runs")]
DaskOption = Annotated[
    str | None,
    typer.Option(
        help="ingest runs parse and NLP on this Dask scheduler (tcp://host:8786)",
        envvar="NEWSFLOW_DASK_ADDRESS",
    ),
]


def _need_server(sources: Path) -> None:
    if not os.environ.get("PREFECT_API_URL"):
        # Without a server Prefect would start a temporary one with no scheduler: nothing would run.
        raise fail(ConfigError("set PREFECT_API_URL to a running Prefect server (or: make up)"))
    if not sources.is_file():
        raise fail(ConfigError(f"no sources file at {sources}"))


def serve(
    sources: Annotated[Path, typer.Option(help="sources file")] = Path("sources.yaml"),
    warehouse: WarehouseOption = None,
    every: EveryOption = 15,
    source: SourceNamesOption = None,
    shard: ShardOption = None,
    dask: DaskOption = None,
) -> None:
    """Serve the ingest, reprocess and maintenance deployments until stopped.

    Runs them for the Prefect server in $PREFECT_API_URL; `make up` starts a server and this.
    With --shard i/n it serves `ingest-i-of-n` (and shard 1 also reprocess and maintenance).

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api newsflow serve --sources sources.yaml
    """
    _need_server(sources)
    from flows.serve import serve as serve_deployments  # Prefect loads only when serving

    serve_deployments(
        sources,
        warehouse,
        interval_minutes=every,
        source_names=source or None,
        shard=shard,
        dask=dask,
    )


def deploy(
    pool: Annotated[str, typer.Option(help="the process work pool the workers serve")],
    sources: Annotated[Path, typer.Option(help="sources file")] = Path("sources.yaml"),
    warehouse: WarehouseOption = None,
    shards: Annotated[int, typer.Option(min=1, help="ingest deployments, one per shard")] = 1,
    every: EveryOption = 15,
    source: SourceNamesOption = None,
    working_dir: Annotated[
        Path, typer.Option(help="where runs start on every worker machine")
    ] = Path("."),
    dask: DaskOption = None,
) -> None:
    """Register the deployments on a work pool, ingest once per shard, for `prefect worker`s.

    Every worker machine installs newsflow and sees the sources file, the warehouse and the
    working directory at the same paths (docs/scaling.md). Create the pool first:
    prefect work-pool create newsflow --type process

    Example: newsflow deploy --pool newsflow --shards 2 --warehouse /srv/newsflow/newsflow.duckdb
    """
    _need_server(sources)
    from flows.serve import deploy_to_pool, ingest_deployment_name, shards_of

    try:
        deploy_to_pool(
            pool,
            sources,
            warehouse,
            shards=shards,
            interval_minutes=every,
            source_names=source or None,
            working_dir=working_dir,
            dask=dask,
        )
    except (NewsflowError, ValueError) as error:  # ValueError: Prefect's, e.g. no such pool
        raise fail(error if isinstance(error, NewsflowError) else ConfigError(str(error))) from None
    names = [ingest_deployment_name(shard) for shard in shards_of(shards)]
    out.print(f"on pool {pool}: {', '.join(names)}, reprocess, maintenance")


def reprocess(
    warehouse: WarehouseOption = None,
    force: Annotated[bool, typer.Option("--force", help="every article, not only stale")] = False,
) -> None:
    """Re-derive articles of an older parser or extractor from the WARC archive, offline.

    Parse, claims and events are made again from the archived response (or the local file).

    Example: newsflow reprocess --warehouse warehouse/newsflow.duckdb
    """
    from flows.reprocess import reprocess as reprocess_flow

    try:
        summary = reprocess_flow(str(warehouse) if warehouse else None, force=force)
    except NewsflowError as error:
        raise fail(error) from None
    table = Table(title="newsflow reprocess")
    for column in ("batch", "replaced", "unchanged", "claims", "events", "problems"):
        table.add_column(column, justify="left" if column == "batch" else "right")
    for batch in summary["batches"]:
        counts = ("updated", "unchanged", "claims", "events", "errors")
        table.add_row(batch["source"], *(str(batch[key]) for key in counts))
    out.print(table)
    for batch in summary["batches"]:
        for message in batch["messages"]:
            err.print(f"[yellow]{batch['source']}[/]: {message}", highlight=False)
    out.print(f"{summary['stale']} stale articles, {summary['updated_articles']} replaced")


def register(app: typer.Typer) -> None:
    """Add these commands to the `newsflow` application."""
    for command in (serve, deploy, reprocess):
        app.command()(command)
