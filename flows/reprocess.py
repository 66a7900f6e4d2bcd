"""The reprocess flow: re-derive parse, claims and events of stored articles, offline.

When the extractor (`tasks.extract.EXTRACTOR_VERSION`) or the parser (`tasks.parse.PARSER_VERSION`)
changed, each stale article is read back from where it first came from, without the network: its
WARC response record (`articles.warc_record`), or for articles from local files the file itself, if
it is still there. It is then parsed and extracted again and loaded through the same loader as a
fresh article, which replaces an article whose text or extractor version changed together with all
its claims, events and mentions in one transaction: a reader sees the old rows or the new, never a
mix. An article whose text came out the same under a new parser keeps its rows; only its
`parser_version` is brought up to date.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed

from flows.artifacts import publish_run_artifacts
from flows.ingest import SourceResult
from schemas.records import ArticleRecord, Document, FetchSettings
from tasks.articles import articles_from_documents
from tasks.fetch import Fetcher
from tasks.versions import EXTRACTOR_VERSION, PARSER_VERSION
from warehouse.db import connect, transaction, warehouse_location
from warehouse.runs import RunSummary, run_row
from warehouse.staging import LoadOutcome, StagedBatch, load_or_stage

__all__ = ["StoredArticle", "rederive", "reprocess", "stale_articles"]

BATCH_SIZE = 50


@dataclass(frozen=True)
class StoredArticle:
    """What the warehouse remembers of where an article came from."""

    article_id: str
    url: str
    final_url: str | None
    source: str | None
    title: str | None
    published_text: str | None
    fetched_at: datetime
    warc_record: str | None


def stale_articles(warehouse: Path, *, force: bool = False) -> list[StoredArticle]:
    """Articles made by another extractor or parser version than this one (all with `force`)."""
    query = (
        "SELECT article_id, url, final_url, source, title, published_text, fetched_at, warc_record"
        " FROM articles"
    )
    if not force:
        query += " WHERE extractor_version IS DISTINCT FROM ? OR parser_version IS DISTINCT FROM ?"
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            query + " ORDER BY article_id", [] if force else [EXTRACTOR_VERSION, PARSER_VERSION]
        ).fetchall()
    return [StoredArticle(*row) for row in rows]


def _read_original(fetcher: Fetcher, article: StoredArticle) -> tuple[Document | None, str | None]:
    """The article's document from its WARC record or local file; else why not."""
    hints = {"title": article.title, "published": article.published_text}
    source = article.source or ""
    if article.warc_record:
        document, log = fetcher.read_archived(
            article.warc_record, url=article.url, source=source, local_ok=True, **hints
        )
    elif article.url.startswith("file:"):
        document, log = fetcher.fetch(article.url, source=source, local_ok=True, **hints)
    else:
        return None, f"{article.url}: no archived copy (fetched before WARC archiving)"
    if document is None:
        return None, f"{article.url}: {log[-1].error if log else 'unreadable'}"
    # Links resolve against the address the page was served from, as on the first parse.
    return document.model_copy(update={"final_url": article.final_url or article.url}), None


def rederive(articles: Sequence[StoredArticle]) -> tuple[list[ArticleRecord], list[str]]:
    """Parse and extract `articles` again from their originals; (records, problems)."""
    stored = {article.url: article for article in articles}
    documents, problems = [], []
    with Fetcher(FetchSettings(max_bytes=1_000_000_000)) as fetcher:
        for article in articles:
            document, problem = _read_original(fetcher, article)
            if document is not None:
                documents.append(document)
            if problem:
                problems.append(problem)
    records, failures = articles_from_documents(documents)
    problems += [f"{failure.url}: {failure.error}" for failure in failures]
    # The article keeps when and where it was first fetched: reprocessing is not fetching.
    restamped = [
        record.model_copy(
            update={
                "fetched_at": stored[record.url].fetched_at,
                "final_url": stored[record.url].final_url,
                "warc_record": stored[record.url].warc_record,
            }
        )
        for record in records
        if record.url in stored
    ]
    return restamped, problems


@task(name="rederive", cache_policy=NO_CACHE)
def rederive_task(articles: list[StoredArticle]) -> tuple[list[ArticleRecord], list[str]]:
    return rederive(articles)


@task(name="load", cache_policy=NO_CACHE)
def load_task(warehouse: Path, records: list[ArticleRecord], run_id: str) -> LoadOutcome:
    outcome = load_or_stage(
        warehouse, StagedBatch(records, [], run_id, EXTRACTOR_VERSION, PARSER_VERSION)
    )
    if outcome.staged is None:
        _stamp_parser_version(warehouse, records)
    return outcome


def _stamp_parser_version(warehouse: Path, records: Sequence[ArticleRecord]) -> None:
    """Articles whose text came out the same were kept: record that this parser saw them."""
    urls = [record.url for record in records if record.url]
    if not urls:
        return
    with connect(warehouse) as con:
        # In a retried transaction: on a lake the update may meet a concurrent writer's commit.
        transaction(
            con,
            lambda c: c.execute(
                "UPDATE articles SET parser_version = ? WHERE url IN (SELECT unnest(?))"
                " AND extractor_version = ? AND parser_version IS DISTINCT FROM ?",
                [PARSER_VERSION, urls, EXTRACTOR_VERSION, PARSER_VERSION],
            ),
        )


def _reprocess_batch(
    number: int, batch: list[StoredArticle], target: Path, run_id: str
) -> SourceResult:
    """One batch of reprocessed articles, reported like an ingest source in the artifacts."""
    started = time.monotonic()
    records, problems = rederive_task(batch)
    outcome = load_task(target, records, run_id)
    loaded = outcome.result
    return SourceResult(
        source=f"batch {number}",
        new_articles=loaded.new_articles,
        updated=loaded.updated_articles,
        unchanged=max(0, len(records) - loaded.updated_articles - loaded.new_articles),
        claims=loaded.claims,
        events=loaded.events,
        errors=len(problems),
        seconds=time.monotonic() - started,
        status="staged" if outcome.staged else "reprocessed",
        staged=outcome.staged is not None,
        messages=problems,
    )


@flow(name="reprocess", log_prints=True)
def reprocess(
    warehouse: str | None = None, force: bool = False, batch_size: int = BATCH_SIZE
) -> Any:
    """Re-derive every stale article (all with `force`) from its archived original."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    target = warehouse_location(warehouse)
    stale = stale_articles(target, force=force)
    logger.info(
        "%d articles to reprocess (extractor %s, parser %s)",
        len(stale),
        EXTRACTOR_VERSION,
        PARSER_VERSION,
    )
    results = [
        _reprocess_batch(n, stale[i : i + batch_size], target, run_id)
        for n, i in enumerate(range(0, len(stale), batch_size), start=1)
    ]
    summary = RunSummary.from_results(
        run_id,
        started,
        results,
        flow="reprocess",
        message=f"{len(stale)} stale articles, {sum(r.updated for r in results)} replaced",
        updated_articles=sum(r.updated for r in results),
        staged_batches=sum(r.staged for r in results),
    )
    load_or_stage(target, StagedBatch([], [], run_id=run_id, run=run_row(summary)))
    publish_run_artifacts(summary, results, [])
    logger.info("reprocess finished: %s", summary.message)
    payload = {**asdict(summary), "stale": len(stale), "batches": [asdict(r) for r in results]}
    return Completed(message=summary.message, data=payload)
