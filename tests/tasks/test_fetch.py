"""The fetch stage against a real HTTP server on loopback (pytest-httpserver)."""

from __future__ import annotations

import gzip
import ipaddress
import itertools
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from schemas.records import Entry, FetchSettings
from tasks import fetch as fetch_module
from tasks.fetch import Fetcher, fetch_entries
from tests.request_spans import most_at_once, recording_handler


@pytest.fixture
def settings() -> FetchSettings:
    return FetchSettings(
        timeout_seconds=2.0,
        retries=2,
        backoff_seconds=0.01,
        max_bytes=100_000,
        allow_private_addresses=True,
        delay_seconds=0.0,
        respect_robots=False,  # robots.txt has tests of its own in test_robots.py
    )


@pytest.fixture
def fetcher(settings: FetchSettings) -> Iterator[Fetcher]:
    with Fetcher(settings) as client:
        yield client


def test_fetches_a_page_with_our_user_agent(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(
        "/page", headers={"User-Agent": fetcher.settings.user_agent}
    ).respond_with_data("<html>hello</html>", content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/page")
    document, records = fetcher.fetch(url, source="s", title="T", published="2024-01-02")
    assert document is not None
    assert document.content == b"<html>hello</html>"
    assert document.content_type == "text/html; charset=utf-8"
    assert (document.status, document.url, document.final_url) == (200, url, url)
    assert (document.entry_title, document.entry_published) == ("T", "2024-01-02")
    [record] = records
    assert (record.status, record.error, record.bytes, record.retried) == (200, None, 18, 0)
    assert record.fetched_at.tzinfo is not None


def test_server_error_is_retried_and_every_attempt_logged(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_ordered_request("/flaky").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/flaky").respond_with_data("up")
    document, records = fetcher.fetch(httpserver.url_for("/flaky"), source="s")
    assert document is not None and document.content == b"up"
    assert [(r.status, r.retried) for r in records] == [(500, 0), (200, 1)]
    assert records[0].error_class == "FetchError" and "HTTP 500" in (records[0].error or "")
    assert records[1].error is None


def test_too_many_requests_honours_retry_after(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_ordered_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_ordered_request("/busy").respond_with_data("fine")
    document, records = fetcher.fetch(httpserver.url_for("/busy"), source="s")
    assert document is not None
    assert [r.status for r in records] == [429, 200]


def test_persistent_server_error_gives_up_after_the_retries(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/broken").respond_with_data("no", status=503)
    document, records = fetcher.fetch(httpserver.url_for("/broken"), source="s")
    assert document is None
    assert [r.retried for r in records] == [0, 1, 2]
    assert len(httpserver.log) == 3


def test_not_found_is_not_retried(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)
    document, records = fetcher.fetch(httpserver.url_for("/missing"), source="s")
    assert document is None
    [record] = records
    assert record.status == 404 and "HTTP 404" in (record.error or "")
    assert not record.refused
    assert len(httpserver.log) == 1


def test_slow_server_times_out(httpserver: HTTPServer, settings: FetchSettings) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    quick = settings.model_copy(update={"timeout_seconds": 0.2, "retries": 0})
    with Fetcher(quick) as fetcher:
        document, records = fetcher.fetch(httpserver.url_for("/slow"), source="s")
    assert document is None
    [record] = records
    assert record.status is None
    assert "timed out" in (record.error or "")


def test_declared_oversize_body_is_refused(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 200_000)
    document, records = fetcher.fetch(httpserver.url_for("/big"), source="s")
    assert document is None
    [record] = records
    assert record.refused and record.error_class == "RefusedError"
    assert "max_bytes" in (record.error or "")


def test_streamed_oversize_body_is_abandoned(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    chunks_sent: list[int] = []
    chunk = b"y" * 65_536

    def endless(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            # No Content-Length: the client can only notice the size while streaming.
            for _ in range(800):  # 50 MB, sent a chunk at a time
                chunks_sent.append(1)
                yield chunk

        return Response(body(), mimetype="text/html")

    httpserver.expect_request("/stream").respond_with_handler(endless)
    document, records = fetcher.fetch(httpserver.url_for("/stream"), source="s")
    assert document is None
    assert records[-1].refused and "max_bytes" in (records[-1].error or "")
    # We stopped reading long before the server ran out of its 50 MB.
    assert len(chunks_sent) < 800


def test_redirects_are_followed_to_the_final_url(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data("moved here")
    document, _ = fetcher.fetch(httpserver.url_for("/old"), source="s")
    assert document is not None
    assert document.final_url == httpserver.url_for("/new")
    assert document.url == httpserver.url_for("/old")


def test_redirect_loop_stops_at_max_redirects(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    document, records = fetcher.fetch(httpserver.url_for("/loop"), source="s")
    assert document is None
    assert "redirects" in (records[-1].error or "")
    assert len(httpserver.log) == fetcher.settings.max_redirects + 1


def test_redirect_to_a_file_url_is_refused(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/sneaky").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    document, records = fetcher.fetch(httpserver.url_for("/sneaky"), source="s")
    assert document is None
    assert records[-1].refused


def test_loopback_is_refused_unless_allowed(
    httpserver: HTTPServer, settings: FetchSettings
) -> None:
    httpserver.expect_request("/private").respond_with_data("secret")
    strict = settings.model_copy(update={"allow_private_addresses": False})
    with Fetcher(strict) as fetcher:
        document, records = fetcher.fetch(httpserver.url_for("/private"), source="s")
    assert document is None
    [record] = records
    assert record.refused and "private or reserved address" in (record.error or "")
    assert httpserver.log == []  # refused before any byte was sent


def test_every_redirect_hop_is_checked(
    monkeypatch: pytest.MonkeyPatch, settings: FetchSettings
) -> None:
    """A public host that redirects to a private address is refused at the second hop."""
    addresses = {"news.example": "93.184.216.34", "internal.example": "10.0.0.7"}

    def fake_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addresses[host], 0))]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", fake_getaddrinfo)
    requested: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append((str(request.url), request.headers["Host"]))
        return httpx.Response(302, headers={"Location": "http://internal.example/admin"})

    strict = settings.model_copy(update={"allow_private_addresses": False})
    with Fetcher(strict, transport=httpx.MockTransport(handler)) as fetcher:
        document, records = fetcher.fetch("http://news.example/story", source="s")
    assert document is None
    assert records[-1].refused and "10.0.0.7" in (records[-1].error or "")
    # The connection goes to the address that was checked; the Host header keeps the name.
    assert requested == [("http://93.184.216.34/story", "news.example")]


def test_the_checked_address_is_the_one_connected_to(
    monkeypatch: pytest.MonkeyPatch, settings: FetchSettings
) -> None:
    """DNS rebinding: a second lookup would answer a private address; there is none."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    lookups: list[str] = []

    def rebinding_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", rebinding_getaddrinfo)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        # A stream, as a real transport gives: fetch reads bodies raw and inflates them itself.
        return httpx.Response(200, stream=httpx.ByteStream(b"public page"))

    strict = settings.model_copy(update={"allow_private_addresses": False})
    with Fetcher(strict, transport=httpx.MockTransport(handler)) as fetcher:
        document, _ = fetcher.fetch("https://news.example:8443/story?id=1", source="s")
    assert document is not None and document.final_url == "https://news.example:8443/story?id=1"
    assert lookups == ["news.example"]
    [request] = seen
    assert str(request.url) == "https://93.184.216.34:8443/story?id=1"
    assert request.headers["Host"] == "news.example:8443"
    # TLS is still negotiated, and the certificate checked, for the name.
    assert request.extensions["sni_hostname"] == "news.example"


def test_connection_refused_is_logged_not_raised(settings: FetchSettings) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bind, note it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Fetcher(settings) as fetcher:
        document, records = fetcher.fetch(f"http://127.0.0.1:{port}/", source="s")
    assert document is None
    assert len(records) == settings.retries + 1
    assert all("connection failed" in (r.error or "") for r in records)


@pytest.mark.parametrize("url", ["ftp://example.org/file", "gopher://x/", "not a url at all"])
def test_unsupported_urls_are_refused(fetcher: Fetcher, url: str) -> None:
    document, records = fetcher.fetch(url, source="s")
    assert document is None
    assert records[-1].refused


def test_file_url_is_read_only_for_local_sources(tmp_path: Path, fetcher: Fetcher) -> None:
    page = tmp_path / "story.html"
    page.write_text("<p>local</p>", encoding="utf-8")
    document, records = fetcher.fetch(page.as_uri(), source="s", local_ok=True)
    assert document is not None
    assert document.content == b"<p>local</p>"
    assert document.content_type == "text/html"
    assert records[0].bytes == len(b"<p>local</p>")

    document, records = fetcher.fetch(page.as_uri(), source="s")
    assert document is None
    assert records[0].refused and "file://" in (records[0].error or "")


def test_missing_local_file_is_logged(tmp_path: Path, fetcher: Fetcher) -> None:
    document, records = fetcher.fetch((tmp_path / "gone.txt").as_uri(), source="s", local_ok=True)
    assert document is None
    assert records[0].error_class == "FetchError" and not records[0].refused


def test_fetch_entries_keeps_going_past_failures(
    httpserver: HTTPServer, settings: FetchSettings, tmp_path: Path
) -> None:
    httpserver.expect_request("/a").respond_with_data("A")
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    note = tmp_path / "note.txt"
    note.write_text("plain", encoding="utf-8")
    entries = [
        Entry(source="s", url=httpserver.url_for("/a"), title="A"),
        Entry(source="s", url=httpserver.url_for("/gone")),
        Entry(source="s", url=note.as_uri()),
    ]
    documents, records = fetch_entries(entries, settings)
    assert [d.url for d in documents] == [httpserver.url_for("/a")]
    assert documents[0].entry_title == "A"
    assert [r.status for r in records] == [200, 410, None]
    assert records[2].refused  # file:// from a non-local source

    documents, _ = fetch_entries(entries[2:], settings, local_ok=True)
    assert documents[0].content == b"plain" and documents[0].content_type == "text/plain"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        ("3600", 5.0),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_is_parsed_and_capped(header: str | None, expected: float | None) -> None:
    assert fetch_module._retry_after_seconds(header) == expected


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),  # cloud metadata endpoint
        ("::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert fetch_module._is_public_address(address) is public


def test_unreadable_archive_locations_are_logged(tmp_path: Path, fetcher: Fetcher) -> None:
    archive = tmp_path / "x.warc"
    archive.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n" + b"z" * 100)
    for location in (
        "https://example.org/x.warc#offset=0",  # not a local archive
        archive.as_uri(),  # no offset
        f"{archive.as_uri()}#offset=40",  # the middle of a record
        f"{(tmp_path / 'none.warc').as_uri()}#offset=0",
    ):
        document, records = fetcher.read_archived(
            location, url="https://example.org/a", source="s", local_ok=True
        )
        assert document is None, location
        assert records[0].error_class in {"FetchError", "RefusedError"}, location


def test_gzip_bomb_is_cut_off_while_inflating(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    """A small gzip body that inflates to 50 MB stops at max_bytes, a chunk or so in."""
    members_sent: list[int] = []

    def bomb(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
            zeros = bytes(1_000_000)
            for _ in range(50):
                members_sent.append(1)
                yield compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
            yield compressor.flush()

        return Response(body(), headers={"Content-Encoding": "gzip"}, mimetype="text/html")

    httpserver.expect_request("/bomb").respond_with_handler(bomb)
    document, records = fetcher.fetch(httpserver.url_for("/bomb"), source="s")
    assert document is None
    [record] = records
    assert record.refused and "max_bytes" in (record.error or "")
    assert len(members_sent) < 50


def test_gzip_body_is_inflated(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    page = "<p>Grüße aus Köln</p>".encode()
    httpserver.expect_request(
        "/gz", headers={"Accept-Encoding": "gzip, deflate, br"}
    ).respond_with_data(
        gzip.compress(page), headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    document, records = fetcher.fetch(httpserver.url_for("/gz"), source="s")
    assert document is not None and document.content == page
    assert records[0].bytes == len(page)


def test_brotli_body_is_inflated(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    page = "<p>Grüße aus Köln</p>".encode()
    httpserver.expect_request("/br").respond_with_data(
        brotli.compress(page), headers={"Content-Encoding": "br"}, content_type="text/html"
    )
    document, records = fetcher.fetch(httpserver.url_for("/br"), source="s")
    assert document is not None and document.content == page


def test_brotli_bomb_is_cut_off_while_inflating(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    """50 MB of zeros compress to a few dozen bytes of brotli; inflating stops at max_bytes."""
    bomb = brotli.compress(bytes(50_000_000))
    assert len(bomb) < 1_000
    httpserver.expect_request("/br-bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "br"}, content_type="text/html"
    )
    document, records = fetcher.fetch(httpserver.url_for("/br-bomb"), source="s")
    assert document is None
    assert records[0].refused and "max_bytes" in (records[0].error or "")


def test_body_that_is_not_what_its_encoding_says_is_logged(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/fake-gz").respond_with_data(
        b"plain text, not gzip", headers={"Content-Encoding": "gzip"}
    )
    document, records = fetcher.fetch(httpserver.url_for("/fake-gz"), source="s")
    assert document is None
    assert records[0].error_class == "FetchError"
    assert "broken compressed body" in (records[0].error or "")


def test_wrong_charset_is_passed_on_for_the_parse_stage(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    """The header says Latin-1, the bytes are UTF-8: fetch changes nothing, parse decides."""
    page = "<p>Zürich – ünd “quotes”</p>".encode()
    httpserver.expect_request("/mislabelled").respond_with_data(
        page, content_type="text/html; charset=iso-8859-1"
    )
    document, _ = fetcher.fetch(httpserver.url_for("/mislabelled"), source="s")
    assert document is not None
    assert document.content == page
    assert document.content_type == "text/html; charset=iso-8859-1"


def test_body_dripping_past_the_total_deadline_is_abandoned(
    httpserver: HTTPServer, settings: FetchSettings
) -> None:
    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(40):
                time.sleep(0.05)
                yield b"."

        return Response(body())

    httpserver.expect_request("/drip").respond_with_handler(drip)
    quick = settings.model_copy(update={"total_timeout_seconds": 0.3, "retries": 0})
    with Fetcher(quick) as fetcher:
        document, records = fetcher.fetch(httpserver.url_for("/drip"), source="s")
    assert document is None
    assert "took too long" in (records[0].error or "")


@pytest.fixture
def resetting_port() -> Iterator[int]:
    """A loopback port whose server resets every connection as soon as it is accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)  # so that the serving thread notices `stop`
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            # SO_LINGER with a zero timeout turns close() into a TCP reset.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.recv(1024)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()
    thread.join(timeout=2)


def test_connection_reset_is_retried_then_logged(
    resetting_port: int, settings: FetchSettings
) -> None:
    with Fetcher(settings) as fetcher:
        document, records = fetcher.fetch(f"http://127.0.0.1:{resetting_port}/", source="s")
    assert document is None
    assert [r.retried for r in records] == [0, 1, 2]
    assert all(r.error_class == "FetchError" for r in records)
    assert all("connection failed" in (r.error or "") for r in records)


def test_conditional_get_gives_not_modified(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_request("/feed").respond_with_data(
        "<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 02 Jan 2024 10:00:00 GMT"}
    )
    url = httpserver.url_for("/feed")
    document, records = fetcher.fetch(url, source="s")
    assert document is not None
    assert (records[0].etag, records[0].last_modified) == (
        '"v1"',
        "Tue, 02 Jan 2024 10:00:00 GMT",
    )

    document, records = fetcher.fetch(url, source="s", validators=('"v1"', None))
    assert document is None
    [record] = records
    assert (record.status, record.not_modified, record.error, record.etag) == (
        304,
        True,
        None,
        None,
    )


def test_at_most_n_requests_in_flight_per_host(
    threaded_server: HTTPServer, settings: FetchSettings
) -> None:
    spans: list[tuple[float, float]] = []
    threaded_server.expect_request("/slow").respond_with_handler(recording_handler(spans, 0.15))
    entries = [Entry(source="s", url=threaded_server.url_for(f"/slow?n={n}")) for n in range(6)]
    polite = settings.model_copy(update={"max_in_flight_per_host": 2, "max_concurrency": 6})
    documents, _ = fetch_entries(entries, polite)
    assert len(documents) == 6
    # Measured at the server: six threads, but never more than two requests at once.
    assert most_at_once(spans) == 2


def test_requests_to_one_host_are_spaced_by_the_delay(
    threaded_server: HTTPServer, settings: FetchSettings
) -> None:
    spans: list[tuple[float, float]] = []
    threaded_server.expect_request("/page").respond_with_handler(recording_handler(spans, 0.0))
    entries = [Entry(source="s", url=threaded_server.url_for(f"/page?n={n}")) for n in range(4)]
    polite = settings.model_copy(update={"delay_seconds": 0.2, "max_concurrency": 4})
    documents, _ = fetch_entries(entries, polite)
    assert len(documents) == 4
    arrivals = sorted(start for start, _ in spans)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # At least the delay (less a little for when each request left the client's socket).
    assert all(gap >= 0.2 * 0.8 for gap in gaps), gaps


def test_fetch_entries_keeps_the_order_of_its_entries(
    threaded_server: HTTPServer, settings: FetchSettings
) -> None:
    def answer(request: Request) -> Response:
        n = int(request.args["n"])
        time.sleep(0.02 * (5 - n))  # later entries finish first
        return Response(f"page {n}")

    threaded_server.expect_request("/page").respond_with_handler(answer)
    entries = [Entry(source="s", url=threaded_server.url_for(f"/page?n={n}")) for n in range(5)]
    documents, records = fetch_entries(entries, settings)
    assert [d.content for d in documents] == [f"page {n}".encode() for n in range(5)]
    assert [r.url for r in records] == [e.url for e in entries]


def test_responses_are_archived_and_readable_again(
    httpserver: HTTPServer, settings: FetchSettings, tmp_path: Path
) -> None:
    page = b"<html><p>archived story</p></html>"
    httpserver.expect_request("/story").respond_with_data(
        gzip.compress(page), headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    httpserver.expect_request("/gone").respond_with_data("gone", status=410)
    entries = [
        Entry(source="s", url=httpserver.url_for("/story")),
        Entry(source="s", url=httpserver.url_for("/gone")),
    ]
    documents, records = fetch_entries(entries, settings, archive_dir=tmp_path / "warc")
    [document] = documents
    assert document.warc_record and document.warc_record == records[0].warc_record
    assert records[1].warc_record  # failures are archived too
    assert document.warc_record.startswith(str(tmp_path / "warc" / "newsflow-"))

    with Fetcher(settings) as fetcher:
        again, log = fetcher.read_archived(
            document.warc_record, url=document.url, source="s", local_ok=True
        )
    assert again is not None and again.content == page
    assert (again.status, again.content_type) == (200, "text/html")


def _self_signed(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a certificate for 127.0.0.1 that nobody signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_every_fetcher_checks_certificates_with_the_one_shared_context(
    tmp_path: Path, settings: FetchSettings
) -> None:
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=_self_signed(tmp_path))
    server.expect_request("/page").respond_with_data("<html>hello</html>")
    server.start()
    try:
        for _ in range(2):  # a Fetcher per chunk; the TLS context is built once per process
            with Fetcher(settings.model_copy(update={"retries": 0})) as fetcher:
                document, records = fetcher.fetch(server.url_for("/page"), source="s")
            assert document is None
            assert "CERTIFICATE_VERIFY_FAILED" in (records[-1].error or "")
        assert server.log == []  # no request got through the handshake
    finally:
        server.stop()
    assert fetch_module._tls_context.cache_info().currsize == 1
