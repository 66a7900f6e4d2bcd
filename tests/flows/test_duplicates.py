"""The same story under two URLs: stored twice, extracted once (issue 4's duplicates)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pytest_httpserver import HTTPServer

from schemas.ids import article_id
from warehouse.query import run_sql

PAGE = Path(__file__).resolve().parents[2] / "examples" / "feed" / "articles"


def _serve(httpserver: HTTPServer) -> str:
    page = (PAGE / "kenya-ethiopia-border.html").read_bytes()
    # A wire copy on another path, with the site's tracking parameters and a different template.
    copy = page.replace(b"<header>", b"<header><p>Syndicated from The Harbour Ledger</p>")
    items = "".join(
        f"<item><title>t{i}</title><link>{link}</link></item>"
        for i, link in enumerate(["/world/kenya.html", "/wire/kenya.html?utm_source=rss"])
    )
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/world/kenya.html").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/wire/kenya.html").respond_with_data(copy, content_type="text/html")
    return httpserver.url_for("/feed.xml")


def test_a_repeated_story_points_at_the_first_copy_and_is_extracted_once(
    prefect_server, httpserver, tmp_path, warehouse_path
):
    from flows.ingest import ingest

    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "fetch": {"allow_private_addresses": True, "delay_seconds": 0, "retries": 0},
                "sources": [{"name": "wire", "kind": "feed", "url": _serve(httpserver)}],
            }
        ),
        encoding="utf-8",
    )
    ingest(str(sources), str(warehouse_path))
    rows = run_sql(
        warehouse_path,
        "SELECT url, dup_of, claim_count, event_count, minhash IS NOT NULL FROM articles"
        " ORDER BY url",
    ).rows
    assert len(rows) == 2
    wire, first = rows  # "/wire/..." sorts before "/world/..."
    assert first[0].endswith("/world/kenya.html") and first[1] is None
    assert first[2] > 0 and first[4]
    assert wire[1] == article_id(first[0])
    assert (wire[2], wire[3]) == (0, 0)
    claims = run_sql(warehouse_path, "SELECT count(DISTINCT article_id) FROM claims").rows[0][0]
    assert claims == 1


def test_with_dedupe_off_every_copy_is_extracted(
    prefect_server, httpserver, tmp_path, warehouse_path
):
    from flows.ingest import ingest

    sources = tmp_path / "sources.yaml"
    config = {
        "fetch": {"allow_private_addresses": True, "delay_seconds": 0, "retries": 0},
        "sources": [{"name": "wire", "kind": "feed", "url": _serve(httpserver)}],
        "dedupe": False,
    }
    sources.write_text(yaml.safe_dump(config), encoding="utf-8")
    ingest(str(sources), str(warehouse_path))
    rows = run_sql(warehouse_path, "SELECT dup_of, claim_count FROM articles").rows
    assert len(rows) == 2
    assert all(dup_of is None and claims > 0 for dup_of, claims in rows)
