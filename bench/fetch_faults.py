"""Fetch fault injection against a loopback server: what each fault leaves in fetch_log.

Run: .venv/bin/python -m bench.fetch_faults   (about 10 s; prints a Markdown table)
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from schemas.records import FetchLogRecord, FetchSettings, Source
from tasks.discover import discover
from tasks.fetch import Fetcher

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY l{i} "{("&a;" if i == 0 else f"&l{i - 1};") * 10}">'.encode() for i in range(9)
    )
    + b']><rss version="2.0"><channel><title>&l8;</title></channel></rss>'
)


def _stream_50mb(request: Request) -> Response:
    def body() -> Iterator[bytes]:
        chunk = b"y" * 65_536
        for _ in range(800):
            yield chunk

    return Response(body(), mimetype="text/html")


def _gzip_bomb(request: Request) -> Response:
    def body() -> Iterator[bytes]:
        compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
        zeros = bytes(1_000_000)
        for _ in range(50):
            yield compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
        yield compressor.flush()

    return Response(body(), headers={"Content-Encoding": "gzip"}, mimetype="text/html")


def _slow(request: Request) -> Response:
    import time

    time.sleep(1.0)
    return Response("late")


def _serve(server: HTTPServer) -> None:
    server.expect_oneshot_request("/500-then-200").respond_with_data("down", status=500)
    server.expect_oneshot_request("/500-then-200").respond_with_data("up")
    server.expect_request("/429").respond_with_data("", status=429, headers={"Retry-After": "1"})
    server.expect_request("/timeout").respond_with_handler(_slow)
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    server.expect_request("/50mb").respond_with_handler(_stream_50mb)
    server.expect_request("/gzip-bomb").respond_with_handler(_gzip_bomb)
    server.expect_request("/latin1-label").respond_with_data(
        "Zürich “quoted”".encode(), content_type="text/html; charset=iso-8859-1"
    )
    server.expect_request("/feed-malformed.xml").respond_with_data("<rss><channel><title>x</ti")
    server.expect_request("/feed-bomb.xml").respond_with_data(BILLION_LAUGHS)
    server.expect_request("/private/page").respond_with_data("secret")
    server.expect_request("/cached.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    server.expect_request("/gzip-page").respond_with_data(
        gzip.compress(b"<p>fine</p>"), headers={"Content-Encoding": "gzip"}
    )


def _row(fault: str, records: list[FetchLogRecord]) -> str:
    last = records[-1]
    statuses = ",".join(str(r.status) for r in records)
    flags = [name for name in ("not_modified", "refused") if getattr(last, name)]
    message = (last.error or "").split(" (http")[0]
    return (
        f"| {fault} | {statuses} | {len(records)} | {last.error_class or '-'} | "
        f"{message or '-'} | {' '.join(flags) or '-'} |"
    )


def main() -> None:
    settings = FetchSettings(
        timeout_seconds=0.5,
        retries=2,
        backoff_seconds=0.05,
        max_bytes=1_000_000,
        allow_private_addresses=True,
        delay_seconds=0.0,
    )
    server = HTTPServer(threaded=True)  # a slow answer must not hold up the next fault
    server.start()
    try:
        _serve(server)
        rows = ["| fault | status per attempt | attempts | error class | message | flags |"]
        rows.append("| --- | --- | --- | --- | --- | --- |")
        with TemporaryDirectory() as folder, Fetcher(settings, archive_dir=Path(folder)) as f:
            for fault, path in [
                ("500 then 200", "/500-then-200"),
                ("429 with Retry-After: 1", "/429"),
                ("read timeout (1 s, timeout 0.5 s)", "/timeout"),
                ("redirect loop", "/loop"),
                ("50 MB body, streamed", "/50mb"),
                ("gzip bomb (50 MB inflated)", "/gzip-bomb"),
                ("wrong charset declared", "/latin1-label"),
                ("robots.txt disallow", "/private/page"),
                ("gzip page (control)", "/gzip-page"),
            ]:
                _, records = f.fetch(server.url_for(path), source="bench")
                rows.append(_row(fault, records))
            _, records = f.fetch("http://127.0.0.1:9/", source="bench")
            rows.append(_row("connection refused", records))
            _, records = f.fetch(
                server.url_for("/cached.xml"), source="bench", validators=('"v1"', None)
            )
            rows.append(_row("304 on conditional GET", records))
            for fault, path in [
                ("malformed XML feed", "/feed-malformed.xml"),
                ("billion-laughs feed", "/feed-bomb.xml"),
            ]:
                source = Source(name="bench", kind="feed", url=server.url_for(path))
                _, records = discover(source, settings, base_dir=Path(folder))
                rows.append(_row(fault, records))
        print("\n".join(rows))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
