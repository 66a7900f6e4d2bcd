"""robots.txt: parsing what a site answers, and the Fetcher honouring it over loopback HTTP."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from schemas.records import FetchSettings
from tasks.fetch import Fetcher
from tasks.robots import (
    RobotsCache,
    RobotsPolicy,
    policy_from_response,
    robots_agent,
    robots_txt_url,
)

ROBOTS = b"""User-agent: *
Disallow: /private/
Crawl-delay: 0.3

User-agent: newsflow
Disallow: /no-bots/
Crawl-delay: 0.3

Sitemap: https://news.example/sitemap.xml
"""


@pytest.fixture
def settings() -> FetchSettings:
    return FetchSettings(
        timeout_seconds=2.0,
        retries=1,
        backoff_seconds=0.01,
        allow_private_addresses=True,
        delay_seconds=0.0,
        respect_robots=True,
    )


@pytest.fixture
def fetcher(settings: FetchSettings) -> Iterator[Fetcher]:
    with Fetcher(settings) as client:
        yield client


def test_robots_url_and_agent_token() -> None:
    assert robots_txt_url("HTTPS://News.Example:8443/a/b?c=1#d") == (
        "https://news.example:8443/robots.txt"
    )
    assert robots_agent("newsflow/0.1 (+https://github.com/newsflow)") == "newsflow"
    assert robots_agent("") == "*"


@pytest.mark.parametrize(
    ("status", "allowed", "reason"),
    [
        (404, True, "no robots.txt (HTTP 404)"),
        (403, True, "no robots.txt (HTTP 403)"),
        (500, False, "robots.txt unreachable (HTTP 500)"),
        (503, False, "robots.txt unreachable (HTTP 503)"),
        (None, False, "robots.txt unreachable (no answer)"),
    ],
)
def test_answers_without_rules(status: int | None, allowed: bool, reason: str) -> None:
    policy = policy_from_response(status, b"User-agent: *\nDisallow: /")
    assert policy.allows("https://news.example/story", "newsflow") is allowed
    assert policy.reason == reason


def test_rules_of_a_robots_txt() -> None:
    policy = policy_from_response(200, ROBOTS)
    assert policy.allows("https://news.example/story", "newsflow")
    assert not policy.allows("https://news.example/no-bots/x", "newsflow")
    # Our own group replaces the * group: /private/ is only closed to other crawlers.
    assert policy.allows("https://news.example/private/x", "newsflow")
    assert not policy.allows("https://news.example/private/x", "otherbot")
    assert policy.crawl_delay("newsflow") == 0.3
    assert policy.sitemaps == ("https://news.example/sitemap.xml",)


def test_cache_fetches_each_site_once() -> None:
    asked: list[str] = []

    def fetch_robots(url: str) -> RobotsPolicy:
        asked.append(url)
        return policy_from_response(200, b"User-agent: *\nDisallow: /x")

    cache = RobotsCache(fetch_robots)
    for url in ("https://a.example/1", "https://a.example/x/2", "https://b.example/"):
        cache.policy_for(url)
    assert asked == ["https://a.example/robots.txt", "https://b.example/robots.txt"]


def test_disallowed_url_is_refused_without_a_request(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")
    httpserver.expect_request("/story").respond_with_data("story")
    document, _ = fetcher.fetch(httpserver.url_for("/story"), source="s")
    assert document is not None

    document, records = fetcher.fetch(httpserver.url_for("/no-bots/secret"), source="s")
    assert document is None
    [record] = records
    assert record.refused and record.error_class == "RefusedError"
    assert "disallowed by robots.txt" in (record.error or "")
    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/robots.txt", "/story"]  # robots.txt once, the refused page never


def test_unreachable_robots_txt_refuses_the_site(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    httpserver.expect_request("/story").respond_with_data("story")
    document, records = fetcher.fetch(httpserver.url_for("/story"), source="s")
    assert document is None
    assert records[0].refused and "robots.txt unreachable (HTTP 503)" in (records[0].error or "")


def test_missing_robots_txt_allows_everything(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("not here", status=404)
    httpserver.expect_request("/story").respond_with_data("story")
    document, _ = fetcher.fetch(httpserver.url_for("/story"), source="s")
    assert document is not None


def test_redirects_are_checked_against_robots_too(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(ROBOTS)
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "/no-bots/page"}
    )
    document, records = fetcher.fetch(httpserver.url_for("/go"), source="s")
    assert document is None
    assert records[0].refused and "robots.txt" in (records[0].error or "")


def test_crawl_delay_spaces_requests(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    arrivals: list[float] = []

    def page(request: Request) -> Response:
        arrivals.append(time.monotonic())
        return Response("page")

    httpserver.expect_request("/robots.txt").respond_with_data(ROBOTS)
    httpserver.expect_request("/page").respond_with_handler(page)
    for n in range(3):
        document, _ = fetcher.fetch(httpserver.url_for(f"/page?n={n}"), source="s")
        assert document is not None
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert all(gap >= 0.3 * 0.8 for gap in gaps), gaps


def test_silent_site_is_refused_with_the_reason(settings: FetchSettings) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Fetcher(settings) as fetcher:
        document, records = fetcher.fetch(f"http://127.0.0.1:{port}/story", source="s")
    assert document is None
    [record] = records
    assert record.refused
    assert "robots.txt unreachable (connection failed" in (record.error or "")
