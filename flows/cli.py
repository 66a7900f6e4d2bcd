"""The `newsflow` command line: a few lines over the library function of the same name.

Only this module turns an exception into a message and an exit code.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from flows.query_cli import WarehouseOption, err, fail, out
from flows.query_cli import register as register_query_commands
from flows.schedule_cli import ShardOption
from flows.schedule_cli import register as register_schedule_commands
from flows.sources_cli import sources_app
from schemas.errors import NewsflowError

# The machine may be offline: Prefect must not try to phone home. Set before Prefect is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

app = typer.Typer(
    help="newsflow: news feeds into a warehouse of articles, claims and events.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(sources_app, name="sources")
register_query_commands(app)
register_schedule_commands(app)


@app.command()
def ingest(
    sources: Annotated[Path, typer.Option(help="sources file")] = Path("sources.yaml"),
    warehouse: WarehouseOption = None,
    shard: ShardOption = None,
    workers: Annotated[
        int | None,
        typer.Option(help="local processes for parse and NLP (default: one per core)", min=1),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            help="run parse and NLP on Dask: 'local' (a LocalCluster) or a scheduler address",
            envvar="NEWSFLOW_DASK_ADDRESS",
        ),
    ] = None,
) -> None:
    """Run one incremental ingest over every source and print a summary.

    Example: newsflow ingest --sources sources.yaml --warehouse warehouse/newsflow.duckdb

    Example (half the feeds; 2/2 runs beside it against the same Prefect server, which keeps the
    per-host limits of both): PREFECT_API_URL=http://127.0.0.1:4200/api newsflow ingest --shard 1/2
    """
    from flows.ingest import ingest as ingest_flow  # Prefect loads only for commands that run flows

    try:
        summary = ingest_flow(
            str(sources),
            str(warehouse) if warehouse else None,
            shard=shard,
            workers=workers,
            dask=dask,
        )
    except NewsflowError as error:
        raise fail(error) from None
    _print_summary(summary)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="newsflow ingest")
    for column in ("source", "discovered", "new articles", "claims", "events", "errors"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for row in summary["per_source"]:
        table.add_row(
            row["source"],
            *(str(row[k]) for k in ("discovered", "new_articles", "claims", "events", "errors")),
        )
    out.print(table)
    for row in summary["per_source"]:
        for message in row["messages"]:
            out.print(f"[yellow]{row['source']}[/]: {message}", highlight=False)
    out.print(
        f"{summary['sources']} sources, {summary['new_articles']} new articles, "
        f"{summary['claims']} claims, {summary['events']} events, {summary['errors']} errors"
    )


@app.command()
def parse(
    paths: Annotated[list[str] | None, typer.Argument(help="files or http(s) URLs")] = None,
    url: Annotated[str | None, typer.Option(help="URL to record for a single file")] = None,
    published: Annotated[
        str | None, typer.Option(help="publication date when the document states none")
    ] = None,
    manifest: Annotated[
        Path | None, typer.Option(help='JSONL of {"path", "url"?, "published"?} per line')
    ] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="one JSON object per line")] = False,
    parse_only: Annotated[
        bool, typer.Option("--parse-only", help="skip claims, events and entities")
    ] = False,
) -> None:
    """Parse and extract files or URLs without touching the warehouse.

    Example: newsflow parse ../shared/corpus/seed-article.txt --jsonl
    """
    from tasks.parse_inputs import ParseInput, inputs_from_manifest, parse_inputs

    try:
        if manifest:
            inputs = inputs_from_manifest(manifest)
        else:
            if not paths:
                raise typer.BadParameter("give at least one path or URL, or --manifest")
            if url and len(paths) > 1:
                raise typer.BadParameter("--url applies to a single input")
            inputs = [ParseInput(p, url=url, published=published) for p in paths]
        results = parse_inputs(inputs, extract=not parse_only)
    except NewsflowError as error:
        raise fail(error) from None
    failed = 0
    for result in results:
        failed += "error" in result
        if jsonl:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            out.print_json(data=result)
    if failed:
        err.print(f"[red]{failed} of {len(results)} inputs failed[/]")
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
