"""The commands that keep the warehouse up to date on a schedule: serve and reprocess.

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


def serve(
    sources: Annotated[Path, typer.Option(help="sources file")] = Path("sources.yaml"),
    warehouse: WarehouseOption = None,
    every: Annotated[float, typer.Option(help="minutes between two ingest runs")] = 15,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="only this source (repeatable)")
    ] = None,
) -> None:
    """Serve the ingest, reprocess and maintenance deployments until stopped.

    Runs them for the Prefect server in $PREFECT_API_URL; `make up` starts a server and this.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api newsflow serve --sources sources.yaml
    """
    if not os.environ.get("PREFECT_API_URL"):
        # Without a server Prefect would start a temporary one with no scheduler: nothing would run.
        raise fail(ConfigError("set PREFECT_API_URL to a running Prefect server (or: make up)"))
    if not sources.is_file():
        raise fail(ConfigError(f"no sources file at {sources}"))
    from flows.serve import serve as serve_deployments  # Prefect loads only when serving

    serve_deployments(sources, warehouse, interval_minutes=every, source_names=source or None)


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
    for command in (serve, reprocess):
        app.command()(command)
