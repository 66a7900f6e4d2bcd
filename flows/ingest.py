"""The ingest flow: sources.yaml ─► discover ─► fetch ─► parse + extract ─► load ─► warehouse.

One task per source and stage (never one per article): a Prefect task run costs tens of
milliseconds of API traffic, so a flow stays at a few task runs per source.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from schemas.errors import NewsflowError
from schemas.records import (
    ArticleRecord,
    Document,
    Entry,
    FetchLogRecord,
    FetchSettings,
    Source,
)
from tasks.articles import articles_from_documents
from tasks.discover import discover, is_local_source
from tasks.extract import EXTRACTOR_VERSION
from tasks.fetch import fetch_entries
from tasks.parse import PARSER_VERSION
from tasks.sources import DEFAULT_SOURCES, load_settings, source_fetch_settings
from warehouse.db import default_warehouse
from warehouse.load import LoadResult, load_batch
from warehouse.query import http_validators, known_urls
from warehouse.runs import RunSummary, record_run


@dataclass
class SourceResult:
    source: str
    discovered: int = 0
    fetched: int = 0
    new_articles: int = 0
    claims: int = 0
    events: int = 0
    errors: int = 0
    messages: list[str] = field(default_factory=list)


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(
    source: Source,
    fetch: FetchSettings,
    base_dir: Path,
    known: dict[str, datetime],
    validators: dict[str, tuple[str | None, str | None]],
    archive_dir: Path,
) -> tuple[list[Entry], list[FetchLogRecord]]:
    return discover(
        source,
        fetch,
        base_dir=base_dir,
        known_urls=known,
        validators=validators,
        archive_dir=archive_dir,
    )


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(
    entries: list[Entry], fetch: FetchSettings, local_ok: bool, archive_dir: Path
) -> tuple[list[Document], list[FetchLogRecord]]:
    return fetch_entries(entries, fetch, local_ok=local_ok, archive_dir=archive_dir)


@task(name="parse-and-extract", cache_policy=NO_CACHE)
def extract_task(docs: list[Document]) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
    return articles_from_documents(docs)


@task(name="load", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 5, 15])
def load_task(
    warehouse: Path, records: list[ArticleRecord], log: list[FetchLogRecord], run_id: str
) -> LoadResult:
    # Retried because the only usual failure is someone holding the DuckDB file for a while.
    return load_batch(
        warehouse,
        records,
        log,
        run_id=run_id,
        extractor_version=EXTRACTOR_VERSION,
        parser_version=PARSER_VERSION,
    )


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares."""

    fetch: FetchSettings
    base_dir: Path
    warehouse: Path
    run_id: str
    known: dict[str, datetime]
    validators: dict[str, tuple[str | None, str | None]]

    @property
    def archive_dir(self) -> Path:
        return self.warehouse.parent / "warc"


def _ingest_source(source: Source, run: RunContext) -> SourceResult:
    result = SourceResult(source.name)
    fetch = source_fetch_settings(source, run.fetch)
    entries, discover_log = discover_task(
        source, fetch, run.base_dir, run.known, run.validators, run.archive_dir
    )
    result.discovered = len(entries)
    local_ok = is_local_source(source, run.base_dir)
    docs, fetch_log = fetch_task(entries, fetch, local_ok, run.archive_dir)
    result.fetched = len(docs)
    records, failures = extract_task(docs) if docs else ([], [])
    log = [*discover_log, *fetch_log, *failures]
    loaded = load_task(run.warehouse, records, log, run.run_id)
    run.known.update((record.url, datetime.now(UTC).replace(tzinfo=None)) for record in records)
    result.new_articles, result.claims, result.events = (
        loaded.new_articles,
        loaded.claims,
        loaded.events,
    )
    errored = [record for record in log if record.error]
    result.errors = len(errored)
    result.messages = [f"{record.url}: {record.error}" for record in errored]
    return result


@flow(name="ingest", log_prints=True)
def ingest(
    sources_file: str = str(DEFAULT_SOURCES), warehouse: str | None = None
) -> dict[str, object]:
    """One incremental run over every source in `sources_file`; returns the run summary."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    settings = load_settings(sources_file)
    target = Path(warehouse) if warehouse else default_warehouse()
    run = RunContext(
        fetch=settings.fetch,
        base_dir=Path(sources_file).resolve().parent,
        warehouse=target,
        run_id=run_id,
        known=known_urls(target),
        validators=http_validators(target),
    )
    results = []
    for source in settings.sources:
        try:
            results.append(_ingest_source(source, run))
        except NewsflowError as error:
            logger.error("source %s failed: %s", source.name, error)
            results.append(SourceResult(source.name, errors=1, messages=[str(error)]))
    summary = RunSummary.from_results(run_id, started, results)
    record_run(target, summary)
    logger.info("ingest finished: %s", summary.line())
    return {**asdict(summary), "per_source": [asdict(r) for r in results]}
