"""The ingest flow: sources.yaml ─► discover ─► fetch ─► parse + extract ─► load ─► warehouse.

One task per source and stage, or per chunk of 100 new entries (never one per article): a Prefect
task run costs tens of milliseconds of API traffic, so a flow stays at a few task runs per source,
and a source with nothing new costs one task (its discovery) and no warehouse write of its own.
Chunks overlap: the next one is fetched and the previous one loaded while one is extracted.

Writes, in order: the run's row (status `running`; this first write also merges batches staged by
earlier runs), one transaction per chunk of new articles, and one last transaction holding the
fetch log of the sources with nothing new together with the run's final row. A run where nothing
changed therefore writes only its run record, plus the fetch-log rows of its conditional requests
(the 304s stay in `fetch_log`: they show each feed was checked, and how fast it answered).

After a crash, the next run completes what was left: each committed batch stays, staged batches are
merged, and whatever was not loaded is not in the watermark, so it is discovered and fetched again
(a feed's validators are stored with its articles, so its 304 cannot hide them).

Pages, records and watermarks are handed to tasks in `quote()`: Prefect would otherwise walk every
object of every page and record looking for futures to wait on (a quarter of this process's CPU).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from logging import Logger, LoggerAdapter
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Completed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.artifacts import publish_run_artifacts
from flows.compute import DaskBatches, open_compute
from flows.quality import QualityCheck, QualityCheckFailed, QualityThresholds, check_quality
from schemas.errors import ConfigError, NewsflowError, WarehouseLockedError
from schemas.records import (
    ArticleRecord,
    Document,
    Entry,
    FetchLogRecord,
    FetchSettings,
    Source,
)
from tasks.articles import Parsing, start_parsing
from tasks.compute import Compute, InProcess
from tasks.dedupe import DuplicateIndex
from tasks.discover import discover, is_local_source
from tasks.fetch import fetch_entries
from tasks.memory import release_free_memory
from tasks.sources import (
    DEFAULT_SOURCES,
    load_settings,
    shard_fetch_settings,
    shard_sources,
    source_fetch_settings,
)
from tasks.versions import EXTRACTOR_VERSION, PARSER_VERSION
from warehouse.db import WarehouseLocation, warehouse_location
from warehouse.query import first_copy_signatures, http_validators, known_urls
from warehouse.runs import RunSummary, run_row
from warehouse.search import refresh as refresh_search_index
from warehouse.staging import LoadOutcome, StagedBatch, load_or_stage, staged_urls

__all__ = ["IngestFailed", "SourceResult", "ingest", "select_sources"]

Log = Logger | LoggerAdapter
Discovered = tuple[list[Entry], list[FetchLogRecord]]
Extracted = tuple[list[ArticleRecord], list[FetchLogRecord]]
Fetched = tuple[list[Document], list[FetchLogRecord]]
# Sources discovered at once; per-host politeness (tasks/fetch.py) still spaces requests to a host.
DISCOVERY_THREADS = 8
# New entries of a source fetched, extracted and loaded together: bounds this process's memory
# (a chunk's pages, and the next one's, are held at once) and the work a crash can lose.
CHUNK_SIZE = 100


class IngestFailed(NewsflowError):
    """Every source of a run failed: worth a red run in the UI."""

    stage = "ingest"


@dataclass
class SourceResult:
    source: str
    discovered: int = 0
    fetched: int = 0
    new_articles: int = 0
    updated: int = 0
    unchanged: int = 0
    claims: int = 0
    events: int = 0
    errors: int = 0
    seconds: float = 0.0
    # loaded, staged, not modified, nothing new, or failed (its feed, sitemap or folder failed)
    status: str = "nothing new"
    staged: bool = False
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
def extract_task(
    parsing: Parsing, duplicates: DuplicateIndex | None, then: Callable[[], None]
) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
    return _extracted(parsing, duplicates, then)


def _extracted(
    parsing: Parsing, duplicates: DuplicateIndex | None, then: Callable[[], None]
) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
    """The records of a chunk whose parse is queued; `then` runs once its extraction is queued
    too, before the wait for the records (the pipeline queues the next chunk's parse there)."""
    extracting = parsing.extracting(duplicates)
    then()
    return extracting.collected()


@task(name="load", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def load_task(
    warehouse: Path, records: list[ArticleRecord], log: list[FetchLogRecord], run_id: str
) -> LoadOutcome:
    # A held warehouse does not fail this task: the batch is staged and merged by the next writer.
    batch = StagedBatch(records, log, run_id, EXTRACTOR_VERSION, PARSER_VERSION)
    # Not checkpointed chunk by chunk: the run's last write (its `runs` row) checkpoints them all.
    return load_or_stage(warehouse, batch, checkpoint=False)


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares."""

    fetch: FetchSettings
    base_dir: Path
    warehouse: WarehouseLocation
    run_id: str
    known: dict[str, datetime]
    validators: dict[str, tuple[str | None, str | None]]
    # Fetch-log records of sources with nothing new: written with the run's final row.
    pending_log: list[FetchLogRecord] = field(default_factory=list)
    # Where parse and NLP batches run (flows/compute.py).
    compute: Compute = field(default_factory=InProcess)
    dedupe: bool = True  # sources.yaml `dedupe`

    @property
    def archive_dir(self) -> Path:
        return self.warehouse.parent / "warc"

    @cached_property
    def duplicates(self) -> DuplicateIndex:
        """Stored first copies, to mark repeats (built on first use: a no-op run never pays)."""
        try:
            return DuplicateIndex.from_signatures(first_copy_signatures(self.warehouse))
        except WarehouseLockedError:
            # Held by someone else: only repeats within this run are caught; copies of older
            # articles are then stored as originals (and extracted), never lost.
            return DuplicateIndex()


def select_sources(sources: Sequence[Source], names: Sequence[str] | None) -> list[Source]:
    """The sources named in `names` (all when None), in the order of sources.yaml."""
    if not names:
        return list(sources)
    unknown = set(names) - {source.name for source in sources}
    if unknown:
        raise ConfigError(f"no source named {', '.join(sorted(unknown))} in the sources file")
    return [source for source in sources if source.name in names]


def _submit_discovery(source: Source, run: RunContext) -> PrefectFuture[Discovered]:
    return discover_task.submit(
        source, run.fetch, run.base_dir, quote(run.known), quote(run.validators), run.archive_dir
    )


@dataclass
class _SourceRun:
    """A source with new entries, from its discovery to its last chunk's load."""

    source: Source
    result: SourceResult
    discover_log: list[FetchLogRecord]
    discovering: float  # seconds, from its log records (discovery ran alongside the others')
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Chunk:
    """Up to CHUNK_SIZE new entries of one source, between their fetch and their load."""

    of: _SourceRun
    entries: list[Entry]
    last: bool  # the source's last chunk: its load carries the discovery log
    fetching: PrefectFuture[Fetched] | None = None  # when fetched ahead of its turn
    parsing: Parsing | None = None  # its pages' parse, once queued (maybe ahead of its turn)
    fetch_log: list[FetchLogRecord] = field(default_factory=list)
    loading: PrefectFuture[LoadOutcome] | None = None
    loaded_urls: list[str] = field(default_factory=list)


def _chunked(source: _SourceRun, entries: list[Entry]) -> list[_Chunk]:
    return [
        _Chunk(source, entries[i : i + CHUNK_SIZE], last=i + CHUNK_SIZE >= len(entries))
        for i in range(0, len(entries), CHUNK_SIZE)
    ]


def _fetch_parameters(chunk: _Chunk, run: RunContext) -> tuple[Any, ...]:
    source = chunk.of.source
    fetch = source_fetch_settings(source, run.fetch)
    return quote(chunk.entries), fetch, is_local_source(source, run.base_dir), run.archive_dir


def _fetched(chunk: _Chunk, run: RunContext) -> Fetched:
    """The chunk's pages: from its fetch ahead, or fetched now."""
    if chunk.fetching is not None:
        return chunk.fetching.result()
    return fetch_task(*_fetch_parameters(chunk, run))


def _extract(parsing: Parsing, run: RunContext, then: Callable[[], None]) -> Extracted:
    if not parsing.batches:
        return [], []
    duplicates = run.duplicates if run.dedupe else None
    if isinstance(run.compute, DaskBatches):
        # Its batches are task runs of their own, submitted from the flow (a task run cannot
        # hand its context to Dask).
        return _extracted(parsing, duplicates, then)
    return extract_task(quote(parsing), quote(duplicates), quote(then))


def _note_errors(result: SourceResult, log: Sequence[FetchLogRecord]) -> None:
    errored = [record for record in log if record.error]
    result.errors += len(errored)
    result.messages += [f"{record.url}: {record.error}" for record in errored]


def _count_loaded(result: SourceResult, outcome: LoadOutcome, records: int) -> None:
    """Add one chunk's load to its source's result."""
    loaded = outcome.result
    result.new_articles += loaded.new_articles
    result.updated += loaded.updated_articles
    result.claims += loaded.claims
    result.events += loaded.events
    if outcome.staged is not None:
        result.staged = True
    else:
        result.unchanged += max(0, records - loaded.new_articles - loaded.updated_articles)
    # Pages that failed are counted in `errors`; the source itself (its feed) worked.
    if result.status != "failed":
        result.status = "staged" if result.staged else "loaded"


def _failed(result: SourceResult, error: NewsflowError, logger: Log) -> SourceResult:
    logger.error("source %s failed: %s", result.source, error)
    result.errors += 1
    result.status = "failed"
    result.messages.append(str(error))
    return result


class _Pipeline:
    """Sources through fetch, extract and load, in chunks of CHUNK_SIZE entries, in order but
    overlapping: while one chunk is parsed and extracted (on the compute's processes), the next
    chunk's pages are fetched and the previous chunk's batch is loaded, in threads of this
    process. Once a chunk's extraction is queued, the next chunk's parse is queued behind it, so
    the workers never wait at the seam between chunks for this process to collect, load and
    start the next one. Loads keep their order, one transaction per chunk; a source's discovery
    log (with its feed's validators) goes with its last chunk, so a crash mid-source cannot
    leave a stored ETag hiding entries that were never loaded."""

    def __init__(self, sources: Sequence[Source], run: RunContext, logger: Log) -> None:
        self.sources, self.context, self.logger = sources, run, logger
        # Every feed is asked at once; each answers on its own time, most with a 304.
        self.discoveries = [_submit_discovery(source, run) for source in sources]
        self.next_source = 0
        self.queue: deque[_Chunk] = deque()
        self.results: list[SourceResult] = []
        self.loading: _Chunk | None = None

    def run(self) -> list[SourceResult]:
        while self._queued(wait=True):
            self._extract_and_load(self.queue.popleft())
        if self.loading is not None:
            self._finish(self.loading)
        return self.results

    def _queued(self, *, wait: bool) -> bool:
        """Whether a chunk is queued, taking in the next sources' discoveries (only those
        already done, unless `wait`)."""
        while not self.queue and self.next_source < len(self.sources):
            discovery = self.discoveries[self.next_source]
            if not wait and not discovery.wrapped_future.done():
                return False
            self._take(self.sources[self.next_source], discovery)
            self.next_source += 1
        return bool(self.queue)

    def _take(self, source: Source, discovery: PrefectFuture[Discovered]) -> None:
        try:
            entries, discover_log = discovery.result()
        except NewsflowError as error:
            self.results.append(_failed(SourceResult(source.name), error, self.logger))
            return
        result = SourceResult(source.name, discovered=len(entries))
        self.results.append(result)
        _note_errors(result, discover_log)
        result.seconds = sum(record.elapsed_ms for record in discover_log) / 1000.0
        if not entries:
            self.context.pending_log.extend(discover_log)
            not_modified = any(record.not_modified for record in discover_log)
            result.status = (
                "failed" if result.errors else "not modified" if not_modified else result.status
            )
            return
        self.queue.extend(
            _chunked(_SourceRun(source, result, discover_log, result.seconds), entries)
        )

    def _extract_and_load(self, chunk: _Chunk) -> None:
        result = chunk.of.result
        try:
            parsing = chunk.parsing or self._start_parsing(chunk, _fetched(chunk, self.context))
            self._fetch_ahead()
            records, failures = _extract(parsing, self.context, then=self._parse_ahead)
        except NewsflowError as error:
            _failed(result, error, self.logger)
            return
        chunk.parsing = None  # its pages are garbage once extracted
        _note_errors(result, [*chunk.fetch_log, *failures])
        if self.loading is not None:
            self._finish(self.loading)  # one load at a time, in order
        log = [*chunk.fetch_log, *failures, *self._discover_log(chunk)]
        chunk.loaded_urls = [record.url for record in records if record.url]
        chunk.loading = load_task.submit(
            self.context.warehouse, quote(records), quote(log), self.context.run_id
        )
        self.loading = chunk

    def _start_parsing(self, chunk: _Chunk, fetched: Fetched) -> Parsing:
        docs, chunk.fetch_log = fetched
        chunk.of.result.fetched += len(docs)
        chunk.parsing = start_parsing(docs, self.context.compute)
        return chunk.parsing

    def _parse_ahead(self) -> None:
        """Queue the next chunk's parse, if it is being fetched ahead. Runs inside the current
        chunk's extract task, so it starts no task: it only waits for that fetch."""
        following = self.queue[0] if self.queue else None
        if following is None or following.fetching is None or following.parsing is not None:
            return
        try:
            fetched = following.fetching.result()
        except NewsflowError:
            return  # raised again in the chunk's own turn, and recorded there
        self._start_parsing(following, fetched)

    def _fetch_ahead(self) -> None:
        """Start fetching the next chunk, if one is known yet, while this one is extracted."""
        if self._queued(wait=False) and self.queue[0].fetching is None:
            following = self.queue[0]
            following.fetching = fetch_task.submit(*_fetch_parameters(following, self.context))

    def _discover_log(self, chunk: _Chunk) -> list[FetchLogRecord]:
        if not chunk.last:
            return []
        log = chunk.of.discover_log
        if chunk.of.result.status == "failed":
            # A chunk of this source was not loaded: its feed's validators must not be stored,
            # or the next run's 304 would hide those entries.
            return [
                record.model_copy(update={"etag": None, "last_modified": None}) for record in log
            ]
        return log

    def _finish(self, chunk: _Chunk) -> None:
        """Wait for the chunk's load and count what it did."""
        assert chunk.loading is not None
        try:
            outcome = chunk.loading.result()
        except NewsflowError as error:
            _failed(chunk.of.result, error, self.logger)
            return
        _count_loaded(chunk.of.result, outcome, len(chunk.loaded_urls))
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        self.context.known.update(dict.fromkeys(chunk.loaded_urls, loaded_at))
        source = chunk.of
        source.result.seconds = source.discovering + time.monotonic() - source.started
        # The chunk's pages, records and Arrow tables are garbage now; without this the fetch and
        # load threads' arenas keep them and the process grows with the run (tasks/memory.py).
        release_free_memory()


def _run_sources(sources: Sequence[Source], run: RunContext, logger: Log) -> list[SourceResult]:
    _watermarks(run, logger)
    return _Pipeline(sources, run, logger).run()


def _watermarks(run: RunContext, logger: Log) -> None:
    """Fill `run.known` and `run.validators` from the warehouse and the staged batches."""
    try:
        run.known.update(known_urls(run.warehouse))
        run.validators.update(http_validators(run.warehouse))
    except WarehouseLockedError:
        # Not fatal: without watermarks the run fetches again what it has, and loading is
        # idempotent; it only costs time while someone keeps the file open.
        logger.warning("warehouse held by another process: running without its watermarks")
    now = datetime.now(UTC).replace(tzinfo=None)
    run.known.update(dict.fromkeys(staged_urls(run.warehouse), now))


def _quality(
    warehouse: Path, started: datetime, thresholds: QualityThresholds, logger: Log
) -> list[QualityCheck]:
    try:
        return check_quality(warehouse, started.astimezone(UTC).replace(tzinfo=None), thresholds)
    except WarehouseLockedError:
        logger.warning("warehouse held by another process: data-quality checks skipped")
        return []


def _refresh_search(warehouse: Path, logger: Log) -> None:
    """Rebuild the full-text index after new rows; a busy warehouse leaves it to the next run."""
    try:
        refresh_search_index(warehouse)
    except (NewsflowError, duckdb.Error) as error:
        logger.warning("full-text index not refreshed (next run or maintenance will): %s", error)


def _open_run(warehouse: Path, summary: RunSummary, logger: Log) -> None:
    """Write the run's `running` row; the same transaction merges what earlier runs staged."""
    opening = load_or_stage(warehouse, StagedBatch([], [], run=run_row(summary)))
    if opening.merged:
        logger.info("merged %d batches staged by earlier runs", opening.merged)
    if opening.staged:
        logger.warning("warehouse held by another process: this run's batches may be staged")


def _verdict(results: Sequence[SourceResult], checks: Sequence[QualityCheck]) -> tuple[str, str]:
    """(status, message) of the run: the message is what the Prefect UI shows for its state."""
    failed_checks = [check for check in checks if check.failed]
    if failed_checks:
        return "failed", "data quality: " + "; ".join(c.line() for c in failed_checks)
    failed = [r for r in results if r.status == "failed"]
    details = "; ".join(f"{r.source}: {r.messages[0]}" for r in failed[:3] if r.messages)
    if results and len(failed) == len(results):
        return "failed", f"every source failed: {details}"
    staged = sum(r.staged for r in results)
    message = (
        f"{sum(r.new_articles for r in results)} new, {sum(r.updated for r in results)} updated,"
        f" {sum(r.errors for r in results)} errors"
    )
    if staged:
        message += f"; {staged} batches staged (warehouse busy), merged by the next run"
    if failed:
        message += f"; {len(failed)} sources failed: {details}"
    return "completed", message


@flow(
    name="ingest", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=DISCOVERY_THREADS)
)
def ingest(
    sources_file: str = str(DEFAULT_SOURCES),
    warehouse: str | None = None,
    source_names: list[str] | None = None,
    quality: QualityThresholds | None = None,
    shard: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
) -> Any:
    """One incremental run over the sources in `sources_file` (only `source_names` when given,
    only those of `shard` "i/n" when given: see tasks.sources.shard_sources). Parse and NLP run in
    `workers` local processes (default one per core) or on the Dask cluster `dask` names
    (flows/compute.py).

    Returns the run summary with one entry per source under `per_source`.
    """
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    settings = load_settings(sources_file)
    sources = select_sources(settings.sources, source_names)
    if shard:
        sources = shard_sources(sources, shard)
    target = warehouse_location(warehouse)
    _open_run(target, RunSummary.started(run_id, started, "ingest", len(sources)), logger)
    fetch = shard_fetch_settings(settings.fetch, shard)
    with open_compute(dask, workers) as compute:
        run = RunContext(
            fetch,
            Path(sources_file).resolve().parent,
            target,
            run_id,
            {},
            {},
            compute=compute,
            dedupe=settings.dedupe,
        )
        results = _run_sources(sources, run, logger)
    loaded_any = any(r.new_articles or r.updated for r in results)
    checks = _quality(target, started, quality or QualityThresholds(), logger) if loaded_any else []
    status, message = _verdict(results, checks)
    summary = RunSummary.from_results(
        run_id,
        started,
        results,
        flow="ingest",
        status=status,
        message=message,
        updated_articles=sum(r.updated for r in results),
        staged_batches=sum(r.staged for r in results),
    )
    load_or_stage(target, StagedBatch([], run.pending_log, run_id=run_id, run=run_row(summary)))
    if loaded_any:
        _refresh_search(target, logger)
    publish_run_artifacts(summary, results, checks)
    logger.info("ingest %s: %s (%s)", status, summary.line(), message)
    return _final_state(summary, results, checks)


def _final_state(
    summary: RunSummary, results: Sequence[SourceResult], checks: Sequence[QualityCheck]
) -> State[Any]:
    if summary.status == "failed":
        failed_quality = any(check.failed for check in checks)
        raise (QualityCheckFailed if failed_quality else IngestFailed)(summary.message or "")
    payload = {**asdict(summary), "per_source": [asdict(r) for r in results]}
    return Completed(message=summary.message, data=payload)
