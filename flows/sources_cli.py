"""`newsflow sources`: list, add and remove the sources in sources.yaml, or import an OPML list.

Each command is a few lines over tasks/sources.py and tasks/opml.py; only here does an error
become a message and an exit code.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from schemas.errors import ConfigError, NewsflowError
from schemas.records import Source
from tasks.opml import opml_sources
from tasks.sources import DEFAULT_SOURCES, add_sources, load_settings, remove_source

sources_app = typer.Typer(
    help="List, add and remove the sources newsflow ingests (sources.yaml).",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)

SourcesFile = Annotated[Path, typer.Option("--sources", "-s", help="sources file")]


class Kind(StrEnum):
    feed = "feed"
    sitemap = "sitemap"
    url = "url"
    folder = "folder"
    warc = "warc"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _fail(error: NewsflowError) -> typer.Exit:
    err.print(f"[bold red]error[/] ({error.stage}): {error}")
    return typer.Exit(1)


def _options(pairs: list[str]) -> dict[str, object]:
    """KEY=VALUE pairs; values read as YAML scalars, so `delay_seconds=0` is a number."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"option {pair!r} is not KEY=VALUE")
        options[key.strip()] = yaml.safe_load(value)
    return options


@sources_app.command("list")
def list_sources(
    sources: SourcesFile = DEFAULT_SOURCES,
    output: Annotated[ListFormat, typer.Option("--format", help="output format")] = (
        ListFormat.table
    ),
) -> None:
    """Show every source: name, kind, URL or path, and its own options.

    Example: newsflow sources list --sources sources.yaml --format json
    """
    try:
        settings = load_settings(sources)
    except NewsflowError as error:
        raise _fail(error) from None
    rows = [source.model_dump(exclude_none=True) for source in settings.sources]
    if output is ListFormat.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=str(sources))
    for column in ("name", "kind", "location", "options"):
        table.add_column(column)
    for source in settings.sources:
        extra = ", ".join(f"{key}={value}" for key, value in (source.model_extra or {}).items())
        table.add_row(source.name, source.kind, source.location, extra)
    out.print(table)


@sources_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="a unique name for the source")],
    location: Annotated[str, typer.Argument(help="URL, or a path relative to the sources file")],
    kind: Annotated[Kind, typer.Option(help="what the location is")] = Kind.feed,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="per-source option KEY=VALUE (repeatable)"),
    ] = None,
    sources: SourcesFile = DEFAULT_SOURCES,
) -> None:
    """Add one source to the sources file (created if missing); its comments are kept.

    Example: newsflow sources add world-news https://example.org/rss.xml -o delay_seconds=2
    """
    is_url = "://" in location
    try:
        source = Source.model_validate(
            {
                "name": name,
                "kind": kind.value,
                ("url" if is_url else "path"): location,
                **_options(option or []),
            }
        )
        add_sources(sources, [source])
    except NewsflowError as error:
        raise _fail(error) from None
    except ValueError as error:  # pydantic: a bad per-source option
        raise _fail(ConfigError(str(error))) from None
    out.print(f"added {source.kind} source [bold]{source.name}[/]: {source.location}")


@sources_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="name of the source to remove")],
    sources: SourcesFile = DEFAULT_SOURCES,
) -> None:
    """Remove the source called NAME from the sources file.

    Example: newsflow sources remove bbc-world --sources sources.yaml
    """
    try:
        removed = remove_source(sources, name)
    except NewsflowError as error:
        raise _fail(error) from None
    out.print(f"removed {removed.kind} source [bold]{removed.name}[/]: {removed.location}")


@sources_app.command("import-opml")
def import_opml(
    file: Annotated[Path, typer.Argument(help="OPML file exported by a feed reader")],
    sources: SourcesFile = DEFAULT_SOURCES,
) -> None:
    """Add every feed of an OPML list as a feed source; feeds already listed are skipped.

    Example: newsflow sources import-opml subscriptions.opml --sources sources.yaml
    """
    try:
        content = file.read_bytes()
    except OSError as error:
        raise _fail(ConfigError(f"cannot read {file}: {error.strerror}")) from None
    try:
        existing = load_settings(sources).sources if sources.exists() else ()
        known_urls = {source.url for source in existing if source.url}
        found = opml_sources(content, taken_names=[source.name for source in existing])
        added = add_sources(sources, [s for s in found if s.url not in known_urls])
    except NewsflowError as error:
        raise _fail(error) from None
    skipped = len(found) - len(added)
    out.print(f"added {len(added)} feed sources from {file} ({skipped} already listed)")
