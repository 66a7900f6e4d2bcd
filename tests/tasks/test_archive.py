"""WARC archiving: records readable by warcio, rotation, and many threads writing at once."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from schemas.records import FetchSettings
from tasks.archive import WarcArchive, split_record_location
from tasks.fetch import Fetcher


def _write(archive: WarcArchive, n: int, body: bytes = b"<p>hello</p>") -> str:
    return archive.write_exchange(
        url=f"https://news.example/story/{n}?x=1",
        request_headers=[("Host", "news.example"), ("User-Agent", "newsflow/0.1")],
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=[
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "999"),
        ],
        body=body,
    )


def _records(path: Path) -> list:
    with path.open("rb") as stream:
        return [
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.protocol,
                record.content_stream().read(),
                record,
            )
            for record in ArchiveIterator(stream)
        ]


def test_an_exchange_is_a_response_and_a_request_record(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as archive:
        location = _write(archive, 1)
    [path] = archive.paths
    assert path.name.startswith("newsflow-") and path.name.endswith(".warc.gz")
    records = _records(path)
    assert [(kind, url, version) for kind, url, version, _, _ in records] == [
        ("warcinfo", None, "WARC/1.1"),
        ("response", "https://news.example/story/1?x=1", "WARC/1.1"),
        ("request", "https://news.example/story/1?x=1", "WARC/1.1"),
    ]
    response, request = records[1][4], records[2][4]
    assert records[1][3] == b"<p>hello</p>"
    # The chunked framing is gone and the length is the stored body's.
    assert response.http_headers.get_header("Transfer-Encoding") is None
    assert response.http_headers.get_header("Content-Length") == str(len(b"<p>hello</p>"))
    assert request.http_headers.protocol == "GET"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == (
        response.rec_headers.get_header("WARC-Record-ID")
    )
    assert split_record_location(location) == (path, _offset_of(path, "response"))


def _offset_of(path: Path, kind: str) -> int:
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == kind:
                return records.get_record_offset()
    raise AssertionError(kind)


def test_files_rotate_past_the_size_limit(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, max_bytes=2_000) as archive:
        locations = [_write(archive, n, body=bytes(range(256)) * 8) for n in range(6)]
    assert len(archive.paths) > 1
    assert sorted(archive.paths) == sorted(tmp_path.glob("newsflow-*.warc.gz"))
    assert all(path.stat().st_size < 2_000 + 4_000 for path in archive.paths)
    fetcher = Fetcher(FetchSettings())
    for n, location in enumerate(locations):
        document, _ = fetcher.read_archived(
            location, url=f"https://news.example/story/{n}", source="s", local_ok=True
        )
        assert document is not None and document.content == bytes(range(256)) * 8


def test_threads_share_one_archive(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, max_bytes=50_000) as archive:
        locations: list[str] = []
        lock = threading.Lock()

        def work(start: int) -> None:
            for n in range(start, start + 25):
                location = _write(archive, n, body=f"<p>{n}</p>".encode())
                with lock:
                    locations.append(location)

        threads = [threading.Thread(target=work, args=(i * 100,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    bodies = []
    for location in locations:
        found = split_record_location(location)
        assert found is not None
        path, offset = found
        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            bodies.append(record.content_stream().read())
    assert len(set(bodies)) == 200


def test_gzip_encoded_payload_is_stored_as_sent(tmp_path: Path) -> None:
    body = gzip.compress(b"<p>compressed</p>")
    with WarcArchive(tmp_path) as archive:
        location = archive.write_exchange(
            url="https://news.example/gz",
            request_headers=[],
            status=200,
            reason="OK",
            http_version="HTTP/1.1",
            response_headers=[("Content-Encoding", "gzip")],
            body=body,
        )
    found = split_record_location(location)
    assert found is not None
    with found[0].open("rb") as stream:
        stream.seek(found[1])
        record = next(iter(ArchiveIterator(stream)))
        assert record.raw_stream.read() == body  # as on the wire
    with found[0].open("rb") as stream:
        stream.seek(found[1])
        record = next(iter(ArchiveIterator(stream)))
        assert record.content_stream().read() == b"<p>compressed</p>"


def test_locations_that_are_not_ours() -> None:
    assert split_record_location("file.warc.gz") is None
    assert split_record_location("file.warc.gz#offset=x") is None
    assert split_record_location("#offset=3") is None
    assert split_record_location(str(Path("/a/b.warc.gz")) + "#offset=12") == (
        Path("/a/b.warc.gz"),
        12,
    )


def test_each_record_is_a_gzip_member_readable_from_its_offset(tmp_path: Path) -> None:
    # A long page, then a short one: nothing of the first may trail into the second.
    with WarcArchive(tmp_path) as archive:
        locations = [_write(archive, 1, b"<p>long</p>" * 50_000), _write(archive, 2)]
    for location, body in zip(locations, [b"<p>long</p>" * 50_000, b"<p>hello</p>"], strict=True):
        path, offset = split_record_location(location)
        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.content_stream().read() == body
    assert path.stat().st_size < 20_000  # compressed
