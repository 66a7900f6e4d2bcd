"""Reprocessing: stale articles re-derived from the WARC archive or their local file, offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from warehouse.db import connect
from warehouse.query import run_sql

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "docs" / "us-japan-talks-london.txt"


@pytest.fixture
def ingested(prefect_server, httpserver: HTTPServer, tmp_path: Path, warehouse_path: Path) -> Path:
    """A warehouse holding one article fetched over HTTP and one read from a local folder."""
    from flows.ingest import ingest

    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    link = httpserver.url_for("/world/us-japan-talks")
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>talks</title><link>{link}</link></item></channel></rss>",
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/world/us-japan-talks").respond_with_data(
        SEED.read_bytes(), content_type="text/plain; charset=utf-8"
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED.with_name("port-strike-talks.txt"), folder / "local-copy.txt")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
                "sources": [
                    {"name": "web", "kind": "feed", "url": httpserver.url_for("/feed.xml")},
                    {"name": "disk", "kind": "folder", "path": "docs"},
                ],
            }
        ),
        encoding="utf-8",
    )
    assert ingest(str(sources), str(warehouse_path))["new_articles"] == 2
    httpserver.clear()  # from here on, any request to the site would be an error
    return warehouse_path


def _age(warehouse: Path) -> None:
    """Pretend an older extractor made every article, and lost some of their rows."""
    with connect(warehouse) as con:
        con.execute("UPDATE articles SET extractor_version = 'old'")
        con.execute("DELETE FROM event_actors")
        con.execute("DELETE FROM events")


def _snapshot(warehouse: Path) -> dict[str, object]:
    return {
        "claims": run_sql(warehouse, "SELECT count(*), count(DISTINCT claim_id) FROM claims").rows,
        "events": run_sql(warehouse, "SELECT count(*), count(DISTINCT event_id) FROM events").rows,
        "articles": run_sql(
            warehouse, "SELECT article_id, text_hash, fetched_at FROM articles ORDER BY 1"
        ).rows,
    }


def test_reprocess_rederives_stale_articles_from_the_archive_without_the_network(
    ingested, httpserver
):
    from flows.reprocess import reprocess, stale_articles
    from tasks.extract import EXTRACTOR_VERSION

    fresh = _snapshot(ingested)
    assert stale_articles(ingested) == []
    _age(ingested)
    assert len(stale_articles(ingested)) == 2

    summary = reprocess(str(ingested))

    assert summary["stale"] == 2 and summary["updated_articles"] == 2
    assert _snapshot(ingested) == fresh  # same ids, no duplicates, events back, fetch time kept
    versions = run_sql(ingested, "SELECT DISTINCT extractor_version FROM articles").rows
    assert versions == [(EXTRACTOR_VERSION,)]
    assert stale_articles(ingested) == []
    assert len(httpserver.log) == 0  # nothing was fetched
    assert reprocess(str(ingested))["stale"] == 0


def test_an_article_whose_local_file_is_gone_is_reported_and_kept(ingested, tmp_path):
    from flows.reprocess import reprocess

    (tmp_path / "docs" / "local-copy.txt").unlink()
    _age(ingested)

    summary = reprocess(str(ingested))

    assert summary["updated_articles"] == 1
    problems = [m for batch in summary["batches"] for m in batch["messages"]]
    assert len(problems) == 1 and "local-copy.txt" in problems[0]
    assert run_sql(ingested, "SELECT count(*) FROM articles").rows == [(2,)]
