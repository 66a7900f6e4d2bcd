"""Parse and extract a batch of fetched documents: the pure middle of the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from schemas.errors import ExtractError, NewsflowError
from schemas.records import ArticleRecord, Document, FetchLogRecord, ParsedArticle
from tasks.extract import extract_article, extract_articles
from tasks.parse import parse_document


def _failure(doc: Document, error: NewsflowError) -> FetchLogRecord:
    return FetchLogRecord(
        source=doc.source,
        url=doc.url,
        status=doc.status,
        error=f"{error.stage}: {error}",
        error_class=type(error).__name__,
        bytes=len(doc.content),
        fetched_at=datetime.now(UTC),
    )


def parse_documents(docs: Sequence[Document]) -> tuple[list[ParsedArticle], list[FetchLogRecord]]:
    """Parse each document; one that is not an article becomes a log record, not an exception."""
    parsed, failures = [], []
    for doc in docs:
        try:
            article = parse_document(doc)
        except NewsflowError as error:
            failures.append(_failure(doc, error))
            continue
        # The article keeps the URL it was discovered under: that is its identity and watermark.
        parsed.append(article.model_copy(update={"url": doc.url, "source": doc.source}))
    return parsed, failures


def articles_from_documents(
    docs: Sequence[Document],
) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
    """Parse, then extract claims, events and entities from every article in one NLP pass."""
    parsed, failures = parse_documents(docs)
    by_url = {doc.url: doc for doc in docs}
    try:
        records = extract_articles(parsed)
    except Exception:  # noqa: BLE001 - one bad text must not cost the batch: retry one by one
        records = []
        for article in parsed:
            try:
                records.append(extract_article(article))
            except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                wrapped = ExtractError(f"{type(error).__name__}: {error}", url=article.url)
                failures.append(_failure(by_url[article.url], wrapped))
    stamped = [
        record.model_copy(
            update={
                "fetched_at": by_url[record.url].fetched_at,
                "final_url": by_url[record.url].final_url,
                "warc_record": by_url[record.url].warc_record,
            }
        )
        for record in records
    ]
    return stamped, failures
