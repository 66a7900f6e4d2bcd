"""Parse and extract a batch of fetched documents: the pure middle of the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from schemas.errors import ExtractError, NewsflowError
from schemas.ids import article_id
from schemas.records import ArticleRecord, Document, FetchLogRecord, ParsedArticle
from tasks.compute import Compute, InProcess, Result
from tasks.dedupe import DuplicateIndex, text_fingerprint


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
    # The stages are imported where they run: the ingest process only hands batches to its
    # workers, and trafilatura and spaCy would cost it 120 MB (tasks/versions.py).
    from tasks.parse import parse_document  # noqa: PLC0415

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


# Documents per batch sent to a worker: big enough to amortise pickling and spaCy's batching,
# small enough that both cores stay busy to the end of a source.
BATCH_SIZE = 8
# Fewer documents than this are done in this process: starting a pool costs seconds.
POOL_THRESHOLD = 2 * BATCH_SIZE


def articles_from_documents(
    docs: Sequence[Document],
    *,
    duplicates: DuplicateIndex | None = None,
    compute: Compute | None = None,
) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
    """Parse, then extract claims, events and entities from every article in one NLP pass.

    With `duplicates` (the articles stored so far), an article that repeats one in the index or
    one earlier in this batch gets `dup_of` = the first copy's article_id and no extraction of its
    own; first copies are added to the index, so it is up to date for the next batch.

    With `compute`, batches of documents are parsed and extracted there (all parse batches are
    queued first, then each batch's extraction as soon as its duplicates are marked here, in
    document order, so the result is the same as in this process). The three steps are
    `start_parsing`, `Parsing.extracting` and `Extracting.collected`, for a caller that queues
    more work between them.
    """
    return start_parsing(docs, compute).extracting(duplicates).collected()


ParseResult = tuple[list[ParsedArticle], list[FetchLogRecord]]
ExtractResult = tuple[list[ArticleRecord], list[tuple[str, ExtractError]]]


@dataclass
class Parsing:
    """Documents whose parse batches are queued on a compute."""

    batches: list[Sequence[Document]]
    results: list[Result[ParseResult]]
    compute: Compute

    def extracting(self, duplicates: DuplicateIndex | None = None) -> Extracting:
        """Wait for each parse batch in turn, mark its duplicates and queue its extraction.

        Returns once every extraction is queued: the caller may queue the next documents' parse
        behind them before it waits for the records, so the compute's workers have it to go on
        with while the last extractions finish."""
        extracting = Extracting(duplicates=duplicates)
        for batch, parsed_batch in zip(self.batches, self.results, strict=True):
            parsed, parse_failures = parsed_batch.result()
            extracting.failures.extend(parse_failures)
            repeats = mark_duplicates(parsed, duplicates) if duplicates is not None else {}
            originals = [article for article in parsed if article.url not in repeats]
            queued = self.compute.submit(extract_originals, originals)
            extracting.batches.append((batch, parsed, repeats, queued))
        return extracting


@dataclass
class Extracting:
    """Parsed batches whose extraction is queued, with the duplicates they hold."""

    batches: list[
        tuple[Sequence[Document], list[ParsedArticle], dict[str, str], Result[ExtractResult]]
    ] = field(default_factory=list)
    failures: list[FetchLogRecord] = field(default_factory=list)
    duplicates: DuplicateIndex | None = None

    def collected(self) -> tuple[list[ArticleRecord], list[FetchLogRecord]]:
        """The records in document order, and a log record for each document that failed."""
        records: list[ArticleRecord] = []
        failures = list(self.failures)
        for batch, parsed, repeats, extracted_batch in self.batches:
            extracted, extract_failures = extracted_batch.result()
            by_url = {doc.url: doc for doc in batch}
            failures.extend(_failure(by_url[url], error) for url, error in extract_failures)
            records.extend(_assembled(parsed, repeats, extracted, by_url, self.duplicates))
        return records, failures


def start_parsing(docs: Sequence[Document], compute: Compute | None = None) -> Parsing:
    """Queue the parse of `docs` on `compute`, in batches of BATCH_SIZE (here when few)."""
    if compute is None or len(docs) < POOL_THRESHOLD:
        compute = InProcess()
    batches = [docs[i : i + BATCH_SIZE] for i in range(0, len(docs), BATCH_SIZE)]
    return Parsing(batches, [compute.submit(parse_documents, batch) for batch in batches], compute)


def _assembled(
    parsed: Sequence[ParsedArticle],
    repeats: dict[str, str],
    extracted: Sequence[ArticleRecord],
    by_url: dict[str, Document],
    duplicates: DuplicateIndex | None,
) -> list[ArticleRecord]:
    """The batch's records in document order: extracted originals and marked duplicates."""
    keyed = {record.url: _keyed(record, duplicates) for record in extracted}
    ordered = [
        _duplicate_record(article, repeats[article.url])
        if article.url in repeats
        else keyed.get(article.url)
        for article in parsed
    ]
    return [_stamped(record, by_url[record.url]) for record in ordered if record]


def mark_duplicates(articles: Sequence[ParsedArticle], index: DuplicateIndex) -> dict[str, str]:
    """{url: article_id of the first copy} for each article that repeats an earlier one."""
    repeats: dict[str, str] = {}
    for article in articles:
        own_id = article_id(article.url or "")
        key_url = _identity_url(article)
        aliases = [article.url] if article.url and article.url != key_url else []
        first = index.find(key_url, article.text, aliases=aliases)
        if first is not None and first != own_id:
            repeats[article.url or ""] = first
        # A duplicate's URLs and exact text are remembered as the first copy's, so meeting them
        # again leads straight to the first copy.
        index.add(first or own_id, key_url, article.text, aliases=aliases)
    return repeats


def _identity_url(article: ParsedArticle) -> str | None:
    # A page's rel=canonical says which URL it is a copy of; one pointing at a site's home page
    # is a CMS template bug (every article would be "the home page"), so it is not believed.
    canonical = article.canonical_url
    if canonical and urlsplit(canonical).path.strip("/"):
        return canonical
    return article.url


def extract_originals(
    articles: Sequence[ParsedArticle],
) -> tuple[list[ArticleRecord], list[tuple[str, ExtractError]]]:
    """Records of the articles that were extracted, and (url, error) of those that were not."""
    if not articles:
        return [], []
    from tasks.extract import extract_article, extract_articles  # noqa: PLC0415 - as above

    try:
        return extract_articles(articles), []
    except Exception:  # noqa: BLE001 - one bad text must not cost the batch: retry one by one
        records, failures = [], []
        for article in articles:
            try:
                records.append(extract_article(article))
            except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                wrapped = ExtractError(f"{type(error).__name__}: {error}", url=article.url)
                failures.append((article.url or "", wrapped))
        return records, failures


def _keyed(record: ArticleRecord, duplicates: DuplicateIndex | None) -> ArticleRecord:
    # The keys later runs recognise this first copy by, stored with it (articles.minhash).
    signature = duplicates.signature_bytes(article_id(record.url or "")) if duplicates else None
    return record.model_copy(
        update={"text_fingerprint": text_fingerprint(record.text), "minhash": signature}
    )


def _duplicate_record(article: ParsedArticle, first_copy: str) -> ArticleRecord:
    # Stored and queryable like any article, but its claims and events are the first copy's.
    return ArticleRecord(**article.model_dump(), dup_of=first_copy)


def _stamped(record: ArticleRecord, doc: Document) -> ArticleRecord:
    return record.model_copy(
        update={
            "fetched_at": doc.fetched_at,
            "final_url": doc.final_url,
            "warc_record": doc.warc_record,
        }
    )
