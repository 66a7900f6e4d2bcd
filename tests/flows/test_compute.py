"""Parse and NLP batches on local processes and on a Dask LocalCluster give the same rows as in
this process."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from schemas.records import ArticleRecord, Document
from tasks.articles import POOL_THRESHOLD, articles_from_documents
from tasks.compute import InProcess, LocalProcesses
from tasks.dedupe import DuplicateIndex
from warehouse.query import run_sql

PAGES = POOL_THRESHOLD + 2  # enough for batches to leave this process


def _aeb_pages(corpus: Path, count: int) -> list[bytes]:
    files = sorted((corpus / "aeb" / "html").glob("*.html.gz"))[:count]
    if len(files) < count:
        pytest.skip("too few AEB pages in the shared corpus")
    return [gzip.decompress(path.read_bytes()) for path in files]


def _documents(pages: list[bytes]) -> list[Document]:
    now = datetime.now(UTC)
    urls = [f"http://news.test/{i}.html" for i in range(len(pages))]
    return [
        Document(
            url=url,
            final_url=url,
            source="aeb",
            content=page,
            content_type="text/html",
            status=200,
            fetched_at=now,
        )
        for url, page in zip(urls, pages, strict=True)
    ]


def _summary(records: list[ArticleRecord]) -> list[tuple]:
    return [
        (
            r.url,
            r.dup_of,
            r.title,
            tuple((c.speaker, c.cue, c.content) for c in r.claims),
            tuple((e.event_type, e.trigger, e.date, e.actors) for e in r.events),
            len(r.entities),
        )
        for r in records
    ]


def test_local_processes_give_the_records_of_one_process(corpus: Path) -> None:
    pages = _aeb_pages(corpus, PAGES - 1)
    # A copy of the first page under another URL: marked a duplicate in both modes.
    docs = _documents([*pages, pages[0]])
    here, here_failures = articles_from_documents(
        docs, duplicates=DuplicateIndex(), compute=InProcess()
    )
    with LocalProcesses(2) as pool:
        pooled, pooled_failures = articles_from_documents(
            docs, duplicates=DuplicateIndex(), compute=pool
        )
    assert _summary(pooled) == _summary(here)
    assert [f.url for f in pooled_failures] == [f.url for f in here_failures]
    assert pooled[-1].dup_of is not None and pooled[-1].claims == ()
    assert sum(len(r.claims) for r in pooled) > 0


@pytest.fixture
def aeb_site(httpserver: HTTPServer, corpus: Path) -> HTTPServer:
    pages = _aeb_pages(corpus, PAGES)
    items = "".join(
        f"<item><title>page {i}</title><link>{httpserver.url_for(f'/p/{i}.html')}</link></item>"
        for i in range(len(pages))
    )
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>aeb</title>{items}'
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    for i, page in enumerate(pages):
        httpserver.expect_request(f"/p/{i}.html").respond_with_data(
            page, content_type="text/html; charset=utf-8"
        )
    return httpserver


def _rows(warehouse: Path) -> dict[str, set[tuple]]:
    queries = {
        "articles": "SELECT article_id, title, text FROM articles",
        "claims": "SELECT claim_id, speaker, content FROM claims",
        "events": "SELECT event_id, event_type, event_date FROM events",
        "actors": "SELECT event_id, role, name FROM event_actors",
    }
    return {name: set(run_sql(warehouse, sql).rows) for name, sql in queries.items()}


def test_a_dask_local_cluster_gives_the_rows_of_one_process(
    prefect_server, aeb_site: HTTPServer, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    sources = tmp_path / "sources.yaml"
    fetch = {"allow_private_addresses": True, "delay_seconds": 0, "timeout_seconds": 10}
    feed = {"name": "aeb", "kind": "feed", "url": aeb_site.url_for("/feed.xml")}
    sources.write_text(yaml.safe_dump({"fetch": fetch, "sources": [feed]}), encoding="utf-8")

    ingest(str(sources), str(tmp_path / "here.duckdb"), workers=1)
    summary = ingest(str(sources), str(tmp_path / "dask.duckdb"), dask="local", workers=2)

    assert summary["new_articles"] == PAGES
    here, on_dask = _rows(tmp_path / "here.duckdb"), _rows(tmp_path / "dask.duckdb")
    assert on_dask == here
    assert len(here["claims"]) > 0 and len(here["events"]) > 0
