"""Security, end to end: the SSRF guard, size and time limits, hostile feed content stored as data,
and `newsflow sql` read-only unless asked.

Feeds here are local files (a local source may be read from disk) whose links point at a loopback
server: what the fetch stage does with those links is what a remote feed could make it do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from flows.cli import app
from flows.ingest import ingest
from warehouse.db import connect

# What an attacker would put in a title or a link: SQL quoting, statement breaks, shell syntax.
HOSTILE_TITLE = "Robert'); DROP TABLE articles; -- $(touch PWNED) `touch PWNED` | rm -rf / \"&"
HOSTILE_PATH = "/news/it's;DROP TABLE claims;--$(touch PWNED)`id`|x&y.html"
BODY_SENTENCE = (
    "The council said on Monday that it would meet again next week; O'Brien's motion failed. "
)


def _page(title: str) -> str:
    paragraphs = "".join(f"<p>{escape(BODY_SENTENCE)} {i}</p>" for i in range(12))
    return (
        f"<html><head><title>{escape(title)}</title></head>"
        f"<body><article><h1>{escape(title)}</h1>{paragraphs}</article></body></html>"
    )


def _feed_file(tmp_path: Path, links: list[tuple[str, str]]) -> Path:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link></item>"
        for title, link in links
    )
    path = tmp_path / "feed.xml"
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        encoding="utf-8",
    )
    return path


def _sources(tmp_path: Path, feed: Path, **fetch: object) -> Path:
    settings = {"delay_seconds": 0, "retries": 0, "timeout_seconds": 5, **fetch}
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {"fetch": settings, "sources": [{"name": "local", "kind": "feed", "path": str(feed)}]}
        ),
        encoding="utf-8",
    )
    return path


def _rows(warehouse: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query).fetchall()


def test_feed_links_to_private_addresses_are_refused_and_logged(
    tmp_path: Path, warehouse_path: Path, httpserver: HTTPServer, prefect_server: None
) -> None:
    httpserver.expect_request("/secret").respond_with_data(_page("internal"))
    links = [
        ("loopback", httpserver.url_for("/secret")),
        ("localhost", httpserver.url_for("/secret").replace("127.0.0.1", "localhost")),
        ("metadata", "http://169.254.169.254/latest/meta-data/"),
        ("private", "http://10.0.0.1/admin"),
        ("ipv6 loopback", "http://[::1]/"),
        ("mapped", "http://[::ffff:127.0.0.1]/"),
    ]
    sources = _sources(tmp_path, _feed_file(tmp_path, links), allow_private_addresses=False)
    ingest(str(sources), str(warehouse_path))
    assert httpserver.log == []  # not one request reached the private server
    assert _rows(warehouse_path, "SELECT count(*) FROM articles") == [(0,)]
    logged = dict(_rows(warehouse_path, "SELECT url, error FROM fetch_log WHERE url <> ''"))
    for _, link in links:
        refused = [url for url in logged if url.rstrip("/") == link.rstrip("/")]
        assert refused, f"{link} left no fetch_log row"
        assert logged[refused[0]], f"{link} was not refused"


def test_a_remote_feed_cannot_make_us_read_local_files(
    tmp_path: Path, warehouse_path: Path, httpserver: HTTPServer, prefect_server: None
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("date 2024-01-01\nThe password is swordfish, the admin said.\n")
    feed = _feed_file(tmp_path, [("secret", secret.as_uri())]).read_text()
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/xml")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "fetch": {"allow_private_addresses": True, "respect_robots": False},
                "sources": [
                    {"name": "remote", "kind": "feed", "url": httpserver.url_for("/feed.xml")}
                ],
            }
        )
    )
    ingest(str(sources), str(warehouse_path))
    assert _rows(warehouse_path, "SELECT count(*) FROM articles") == [(0,)]
    # feedparser already drops the file: link, or the fetch refuses it: either way never read
    read = _rows(
        warehouse_path,
        f"SELECT count(*) FROM fetch_log WHERE url = '{secret.as_uri()}' AND error IS NULL",
    )
    assert read == [(0,)]


@pytest.fixture
def threaded_httpserver() -> Iterator[HTTPServer]:
    """A server that answers while a slow handler sleeps (the default one serves one at a time,
    so a page fetched beside the slow one would time out behind it)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_oversized_and_slow_pages_are_cut_off_and_the_run_goes_on(
    tmp_path: Path, warehouse_path: Path, threaded_httpserver: HTTPServer, prefect_server: None
) -> None:
    httpserver = threaded_httpserver

    def slow(request: Request) -> Response:
        time.sleep(3)
        return Response(_page("late"), content_type="text/html")

    httpserver.expect_request("/big").respond_with_data(
        _page("big") + "<!--" + "x" * 200_000 + "-->", content_type="text/html"
    )
    httpserver.expect_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/ok").respond_with_data(_page("fine"), content_type="text/html")
    links = [(name, httpserver.url_for(f"/{name}")) for name in ("big", "slow", "ok")]
    sources = _sources(
        tmp_path,
        _feed_file(tmp_path, links),
        allow_private_addresses=True,
        respect_robots=False,
        max_bytes=50_000,
        timeout_seconds=1,
    )
    started = time.monotonic()
    ingest(str(sources), str(warehouse_path))
    assert time.monotonic() - started < 60  # a bound on hanging, not a speed measurement
    errors = dict(_rows(warehouse_path, "SELECT url, error FROM fetch_log WHERE url <> ''"))
    assert errors[httpserver.url_for("/big")], "oversized page not logged as an error"
    assert errors[httpserver.url_for("/slow")], "slow page not logged as an error"
    titles = _rows(warehouse_path, "SELECT title FROM articles")
    assert titles == [("fine",)]


def test_hostile_titles_and_links_are_stored_verbatim(
    tmp_path: Path, warehouse_path: Path, httpserver: HTTPServer, prefect_server: None
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request(HOSTILE_PATH).respond_with_data(
        _page(HOSTILE_TITLE), content_type="text/html; charset=utf-8"
    )
    link = "http://" + httpserver.host + f":{httpserver.port}" + HOSTILE_PATH
    sources = _sources(
        tmp_path, _feed_file(tmp_path, [(HOSTILE_TITLE, link)]), allow_private_addresses=True
    )
    ingest(str(sources), str(warehouse_path))
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()
    [(title, url, text)] = _rows(warehouse_path, "SELECT title, url, text FROM articles")
    assert title == HOSTILE_TITLE
    assert "DROP TABLE claims" in url and "'" in url
    assert "O'Brien's motion" in text
    tables = {row[0] for row in _rows(warehouse_path, "SHOW TABLES")}
    assert {"articles", "claims", "events"} <= tables


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (a INTEGER)",
        "DELETE FROM articles",
        "DROP TABLE claims",
        "INSERT INTO articles (article_id, url, text, text_hash, fetched_at, loaded_at)"
        " VALUES ('x', 'u', 't', 'h', now(), now())",
        "UPDATE articles SET title = 'changed'",
    ],
)
def test_sql_cannot_write_unless_asked(warehouse_path: Path, statement: str) -> None:
    with connect(warehouse_path):
        pass  # the schema
    before = _rows(warehouse_path, "SELECT table_name FROM duckdb_tables() ORDER BY 1")
    result = CliRunner().invoke(app, ["sql", statement, "--warehouse", str(warehouse_path)])
    assert result.exit_code != 0
    assert _rows(warehouse_path, "SELECT table_name FROM duckdb_tables() ORDER BY 1") == before
    assert _rows(warehouse_path, "SELECT count(*) FROM articles") == [(0,)]


def test_sql_writes_when_asked(warehouse_path: Path) -> None:
    with connect(warehouse_path):
        pass
    statement = "CREATE TABLE notes (a INTEGER)"
    result = CliRunner().invoke(
        app, ["sql", statement, "--warehouse", str(warehouse_path), "--write"]
    )
    assert result.exit_code == 0, result.output
    assert ("notes",) in _rows(warehouse_path, "SHOW TABLES")
