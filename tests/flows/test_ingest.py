"""The ingest flow end to end: a feed and pages on a loopback HTTP server, a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from warehouse.query import run_sql

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "examples" / "feed" / "articles"
SEED = REPO / "examples" / "docs" / "us-japan-talks-london.txt"


def _feed(server: HTTPServer) -> str:
    items = [
        ("Kenya and Ethiopia", "/world/kenya-ethiopia-border.html"),
        ("Chile and Peru", "world/chile-peru-fishing.html"),  # relative link
        ("US-Japan talks", server.url_for("/world/us-japan-talks")),
        ("Gone", "/world/missing.html"),
        ("Broken", "/world/broken.html"),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Tue, 04 May 2021 08:00:00 +0000</pubDate></item>"
        for title, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


@pytest.fixture
def news_site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(httpserver), content_type="application/rss+xml"
    )
    for name in ("kenya-ethiopia-border.html", "chile-peru-fishing.html"):
        httpserver.expect_request(f"/world/{name}").respond_with_data(
            (PAGES / name).read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request("/world/us-japan-talks").respond_with_data(
        SEED.read_bytes(), content_type="text/plain; charset=utf-8"
    )
    httpserver.expect_request("/world/missing.html").respond_with_data("no", status=404)
    httpserver.expect_request("/world/broken.html").respond_with_data("oops", status=500)
    return httpserver


@pytest.fixture
def sources_file(tmp_path: Path, news_site: HTTPServer) -> Path:
    path = tmp_path / "sources.yaml"
    config = {
        "fetch": {
            "allow_private_addresses": True,
            "retries": 1,
            "backoff_seconds": 0.05,
            "timeout_seconds": 5,
            "delay_seconds": 0,
        },
        "sources": [
            {"name": "loopback-news", "kind": "feed", "url": news_site.url_for("/feed.xml")},
            {"name": "nowhere", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"},
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _counts(warehouse: Path) -> dict[str, int]:
    tables = ("articles", "claims", "events", "event_actors", "entities", "entity_mentions")
    return {t: run_sql(warehouse, f"SELECT count(*) FROM {t}").rows[0][0] for t in tables}


def test_ingest_fills_the_warehouse_and_a_rerun_adds_nothing(
    prefect_server, sources_file, warehouse_path
):
    from flows.ingest import ingest

    summary = ingest(str(sources_file), str(warehouse_path))

    assert summary["sources"] == 2
    assert summary["new_articles"] == 3
    urls = {row[0] for row in run_sql(warehouse_path, "SELECT url FROM articles").rows}
    assert any(u.endswith("/world/chile-peru-fishing.html") for u in urls)
    assert any(u.endswith("/world/us-japan-talks") for u in urls)

    seed_events = run_sql(
        warehouse_path,
        "SELECT e.event_type, e.location, list(a.country_code ORDER BY a.country_code)"
        " FROM events e JOIN articles USING (article_id) JOIN event_actors a USING (event_id)"
        " WHERE articles.url LIKE '%us-japan-talks' GROUP BY ALL",
    ).rows
    assert any(t == "CONSULT" and loc == "London" for t, loc, _ in seed_events)
    speakers = {
        row[0]
        for row in run_sql(
            warehouse_path,
            "SELECT speaker FROM claims JOIN articles USING (article_id)"
            " WHERE articles.url LIKE '%us-japan-talks'",
        ).rows
    }
    assert "NHK" in speakers

    failures = run_sql(
        warehouse_path,
        "SELECT url, status, error FROM fetch_log WHERE error IS NOT NULL ORDER BY url",
    ).rows
    failed_urls = " ".join(row[0] for row in failures)
    assert "missing.html" in failed_urls and "broken.html" in failed_urls
    assert "127.0.0.1:9" in failed_urls  # the unreachable feed is recorded, the run went on
    assert all(row[2] for row in failures)

    before = _counts(warehouse_path)
    again = ingest(str(sources_file), str(warehouse_path))
    assert again["new_articles"] == 0
    assert _counts(warehouse_path) == before
    runs = run_sql(warehouse_path, "SELECT count(*) FROM runs").rows[0][0]
    assert runs == 2
