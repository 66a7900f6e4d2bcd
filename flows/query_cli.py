"""The commands people use to read the warehouse: sql, search, export, report.

Each is a few lines over the warehouse function of the same name; errors become a message and
exit code 1 (never a traceback).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from schemas.errors import NewsflowError

out = Console()
err = Console(stderr=True)

# Readers wait at most this long for a writer's batch to finish before giving up.
READ_WAIT_SECONDS = 5.0

# A DuckDB file or a DuckLake attach string (warehouse/location.py): a string, not a Path, so
# that "ducklake:postgres:dbname=... host=..." reaches the warehouse as it was written.
WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB file, or a lake: ducklake:sqlite:/path/catalog.sqlite,"
        " ducklake:postgres:dbname=... host=... [default: $NEWSFLOW_WAREHOUSE or"
        " warehouse/newsflow.duckdb]",
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="output format")]


def fail(error: NewsflowError) -> typer.Exit:
    err.print(f"[bold red]error[/] ({error.stage}): {error}", highlight=False)
    return typer.Exit(1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def print_rows(columns: list[str], rows: list[tuple], fmt: OutputFormat) -> None:
    """Rows in the chosen format on standard output."""
    if fmt is OutputFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, default=_cell, ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        sys.stdout.write(buffer.getvalue())
    elif fmt is OutputFormat.markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
        for row in rows:
            cells = (_cell(v).replace("|", r"\|").replace("\n", " ") for v in row)
            lines.append("| " + " | ".join(cells) + " |")
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        table = Table()
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        out.print(table)


def sql(
    query: Annotated[str | None, typer.Argument(help="one SQL statement")] = None,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    write: Annotated[bool, typer.Option("--write", help="allow statements that write")] = False,
    schema: Annotated[bool, typer.Option("--schema", help="list tables, views, columns")] = False,
) -> None:
    """Run SQL over the warehouse (read-only unless --write).

    Example: newsflow sql "select speaker, count(*) from claims group by 1 order by 2 desc"
    """
    from warehouse.query import SCHEMA_QUERY, run_sql

    if not schema and not query:
        raise typer.BadParameter("give a SQL statement, or --schema")
    try:
        result = run_sql(
            warehouse,
            SCHEMA_QUERY if schema else query,
            write=write,
            wait_seconds=READ_WAIT_SECONDS,
        )
    except NewsflowError as error:
        raise fail(error) from None
    print_rows(result.columns, result.rows, fmt)


def search(
    query: Annotated[str, typer.Argument(help="words to look for")],
    claims: Annotated[bool, typer.Option("--claims", help="search claims, not articles")] = False,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="published on or after")
    ] = None,
    limit: Annotated[int, typer.Option(help="how many results")] = 20,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Full-text search (BM25) over articles, or claims with --claims.

    Example: newsflow search "South China Sea" --claims --since 2021-01-01
    """
    from warehouse.search import search as run_search

    try:
        hits = run_search(
            warehouse, query, claims=claims, since=since.date() if since else None, limit=limit
        )
    except NewsflowError as error:
        raise fail(error) from None
    if claims:
        columns = ["score", "speaker", "claim", "title", "published_at", "url"]
        rows = [
            (round(h.score, 3), h.speaker, h.snippet, h.title, h.published_at, h.url) for h in hits
        ]
    else:
        columns = ["score", "title", "published_at", "snippet", "url"]
        rows = [(round(h.score, 3), h.title, h.published_at, h.snippet, h.url) for h in hits]
    print_rows(columns, rows, fmt)


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


def export(
    directory: Annotated[Path, typer.Argument(help="folder to write into")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.parquet,
    warehouse: WarehouseOption = None,
) -> None:
    """Export every table as Parquet or CSV files (big tables partitioned by month).

    Example: newsflow export exports/ --format parquet
    """
    from warehouse.export import export_warehouse

    try:
        exported = export_warehouse(warehouse, directory, fmt=fmt.value)
    except NewsflowError as error:
        raise fail(error) from None
    print_rows(
        ["table", "rows", "path"],
        [(e.table, e.rows, str(e.path)) for e in exported],
        OutputFormat.table,
    )


def report(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")] = Path(
        "report.html"
    ),
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="events and articles from")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write a self-contained HTML page: events timeline, actor pairs, speakers, sources.

    Example: newsflow report --since 2021-01-01 --out report.html
    """
    from warehouse.report import build_report

    try:
        data = build_report(warehouse, out_file, since=since.date() if since else None)
    except NewsflowError as error:
        raise fail(error) from None
    totals = data.totals
    out.print(
        f"wrote {out_file}: {totals['articles']} articles, {totals['claims']} claims, "
        f"{totals['real_events']} events"
    )


def register(app: typer.Typer) -> None:
    """Add these commands to the `newsflow` application."""
    for command in (sql, search, export, report):
        app.command()(command)
