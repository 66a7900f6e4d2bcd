"""The fetch stage: bytes for each discovered entry, and a log record for every attempt.

`Fetcher` wraps one httpx client configured from `FetchSettings`. It never raises for a failed
fetch: every attempt (a retry is a new attempt) becomes a `FetchLogRecord`, and a failure simply
yields no `Document`. Errors of httpx are translated into the newsflow error tree in one place,
`_as_fetch_error`.

Safety rules, applied to every request and every redirect hop:
- only http(s); `file://` only when the entries came from a local source (`local_ok`);
- no private, loopback, link-local or reserved addresses unless `allow_private_addresses`; the
  address that passed the check is the one connected to (the host is not resolved twice, so a
  DNS answer that changes between check and connect cannot smuggle in a private address);
- the body is streamed, inflated by us within `max_bytes` (a gzip bomb stops at the limit), and
  abandoned once it passes `max_bytes` or the request's total deadline.

Politeness, also per request and per hop:
- robots.txt (tasks/robots.py), fetched once per site per Fetcher; a disallowed URL is refused;
- at most `max_in_flight_per_host` requests at once to one host, and request starts to one host
  spaced by `delay_seconds` (or the site's Crawl-delay, if longer) across every Fetcher of the
  process, or of every process with `global_host_limits` (tasks/host_limits.py: Prefect global
  concurrency limits); `fetch_entries` runs `max_concurrency` threads in all;
- conditional GET: given (ETag, Last-Modified), a 304 answer is logged as not_modified.

Every HTTP response read in full is archived as WARC when the Fetcher has an `archive_dir`; the
Document and the log record then name the record (`warc_record`).
"""

from __future__ import annotations

import ipaddress
import mimetypes
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import brotli
import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from schemas.errors import FetchError, NewsflowError, RefusedError
from schemas.records import Document, Entry, FetchLogRecord, FetchSettings
from tasks.archive import WarcArchive, split_record_location
from tasks.host_limits import global_host_slot
from tasks.robots import (
    RobotsCache,
    RobotsPolicy,
    policy_from_response,
    robots_agent,
    unreachable_policy,
)

__all__ = ["Fetcher", "fetch_entries", "file_url_to_path", "warc_location"]

# Retry-After may ask for minutes; a batch run should not stall on one host, so we cap the wait.
_MAX_RETRY_AFTER_SECONDS = 5.0
# A server that drips bytes slowly never trips the per-read timeout; bound the whole request too.
_TOTAL_DEADLINE_FACTOR = 3.0
_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_HTTP_SCHEMES = frozenset({"http", "https"})
_SUFFIX_CONTENT_TYPES = {
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
}
# We inflate bodies ourselves (see _Inflater), so we only ask for encodings we can bound.
_ACCEPT_ENCODING = "gzip, deflate, br"
_ZLIB_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_IDENTITY_ENCODINGS = frozenset({"", "identity"})


@dataclass(frozen=True)
class _Response:
    """What one HTTP attempt produced once redirects are followed."""

    final_url: str
    status: int
    content_type: str | None
    content: bytes
    retry_after: float | None
    etag: str | None = None
    last_modified: str | None = None
    warc_record: str | None = None


def file_url_to_path(url: str) -> Path:
    """The local path a file:// URL names."""
    return Path(url2pathname(urlsplit(url).path))


# Everything httpx raises about a request; InvalidURL and StreamError sit outside HTTPError.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


# What reading a damaged archive raises: warcio's errors, a bad gzip member, a cut-off file.
_WARCIO_ERRORS = (
    OSError,
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ValueError,
    zlib.error,
    EOFError,
)


def warc_location(warc_url: str, offset: int) -> str:
    """The `Entry.archived_at` value naming the WARC record at `offset` of a file:// WARC."""
    return f"{warc_url}#offset={offset}"


def _split_warc_location(location: str) -> tuple[Path, int]:
    """(path, offset) from "file:///x.warc.gz#offset=N" or from "/x.warc.gz#offset=N"."""
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    key, _, value = parts.fragment.partition("=")
    if scheme == "file" and key == "offset" and value.isdigit():
        return file_url_to_path(location.split("#", 1)[0]), int(value)
    plain = split_record_location(location) if scheme == "" else None
    if plain is None:
        raise RefusedError("archive location is not a local WARC path with #offset=N", url=location)
    return plain


def _as_fetch_error(exc: Exception, url: str) -> FetchError:
    """The one place where httpx errors become newsflow errors."""
    name = type(exc).__name__
    if isinstance(exc, httpx.InvalidURL):
        return FetchError(f"invalid URL ({exc})", url=url)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out ({name})", url=url, transient=True)
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError("too many redirects", url=url)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return RefusedError(f"unsupported protocol ({exc})", url=url)
    if isinstance(exc, httpx.TransportError):
        # Connection refused/reset, DNS failures, broken chunked encoding: worth another try.
        return FetchError(f"connection failed ({name}: {exc})", url=url, transient=True)
    return FetchError(f"HTTP error ({name}: {exc})", url=url)


def _is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _public_address(url: str) -> str:
    """The address to connect to for `url`, once every address of its host proved public.

    Refuses (SSRF guard) when any address of the host is private, loopback, link-local,
    reserved or multicast.
    """
    host = urlsplit(url).hostname
    if not host:
        raise RefusedError("URL has no host", url=url)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r} ({exc})", url=url, transient=True) from exc
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if not _is_public_address(address):
            raise RefusedError(f"private or reserved address {address} for host {host!r}", url=url)
    if not addresses:
        raise FetchError(f"no address for host {host!r}", url=url, transient=True)
    return addresses[0].split("%", 1)[0]


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, _MAX_RETRY_AFTER_SECONDS))


def _content_type_for(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return _SUFFIX_CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]


def _conditional_headers(validators: tuple[str | None, str | None] | None) -> dict[str, str]:
    etag, last_modified = validators or (None, None)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


# -- politeness --------------------------------------------------------------------------------

# When the next request to each host may start (time.monotonic()), shared by every Fetcher of the
# process: discover and fetch use separate Fetchers but must not together hammer one host.
_NEXT_START: dict[str, float] = {}
_NEXT_START_LOCK = threading.Lock()


def _wait_for_turn(host: str, delay: float) -> None:
    """Reserve the next start time for `host` (first come, first served) and sleep until it."""
    with _NEXT_START_LOCK:
        now = time.monotonic()
        start = max(now, _NEXT_START.get(host, 0.0))
        _NEXT_START[host] = start + delay
    if start > now:
        time.sleep(start - now)


class _Inflater:
    """Content-Encoding undone with zlib or brotli, never producing more than asked for.

    httpx inflates a whole network chunk at once: 64 KB of a gzip bomb become 64 MB before we
    could look at them. zlib's `max_length` and brotli's `output_buffer_limit` let us stop at
    max_bytes instead.
    """

    def __init__(self, encoding: str | None, url: str) -> None:
        name = (encoding or "").strip().lower()
        self._zlib = self._brotli = None
        if name in _ZLIB_ENCODINGS:
            # 32 + MAX_WBITS: zlib detects a gzip or a zlib header by itself.
            self._zlib = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
        elif name == "br":
            self._brotli = brotli.Decompressor()
        elif name not in _IDENTITY_ENCODINGS:
            raise FetchError(f"unsupported content encoding {name!r}", url=url)
        self._url = url

    def inflate(self, chunk: bytes, room: int) -> bytes:
        """Up to `room` bytes of decoded body from `chunk`; exactly `room` means "there is more"."""
        if self._brotli is not None:
            return self._unbrotli(chunk, room)
        if self._zlib is None:
            return chunk
        try:
            data = self._zlib.decompress(chunk, room)
        except zlib.error as exc:
            raise FetchError(f"broken compressed body ({exc})", url=self._url) from exc
        if self._zlib.unconsumed_tail:
            return data + b"\0"  # over the room we gave: the caller sees the limit passed
        return data

    def _unbrotli(self, chunk: bytes, room: int) -> bytes:
        assert self._brotli is not None
        try:
            data = self._brotli.process(chunk, output_buffer_limit=max(room, 1))
        except brotli.error as exc:
            raise FetchError(f"broken compressed body ({exc})", url=self._url) from exc
        if len(data) >= room and not self._brotli.can_accept_more_data():
            return data + b"\0"  # more output is pending than the room we gave
        return data


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """The CA bundle, read once per process: a Fetcher is made per chunk of a source, and reading
    the bundle takes 38 ms each time. One SSLContext may serve every thread and client."""
    return httpx.create_ssl_context()


class Fetcher:
    """Fetches URLs (http, https and, for local sources, file) under one set of FetchSettings.

    Safe to share between threads: `fetch_entries` does.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        archive_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._agent = robots_agent(settings.user_agent)
        self._robots = RobotsCache(self._fetch_robots_txt)
        self.archive = (
            WarcArchive(archive_dir, max_bytes=settings.warc_max_bytes) if archive_dir else None
        )

    @property
    def _http(self) -> httpx.Client:
        # Made on first use: building the TLS context costs tens of milliseconds, wasted on
        # sources that only read local files.
        with self._lock:
            if self._client is None:
                timeout = httpx.Timeout(
                    self.settings.timeout_seconds, connect=self.settings.connect_timeout_seconds
                )
                # Redirects are followed by hand so that every hop passes the address check.
                self._client = httpx.Client(
                    timeout=timeout,
                    follow_redirects=False,
                    headers={
                        "User-Agent": self.settings.user_agent,
                        "Accept-Encoding": _ACCEPT_ENCODING,
                    },
                    transport=self._transport,
                    verify=_tls_context(),
                )
            return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
        if self.archive is not None:
            self.archive.close()

    def fetch(
        self,
        url: str,
        *,
        source: str,
        local_ok: bool = False,
        title: str | None = None,
        published: str | None = None,
        validators: tuple[str | None, str | None] | None = None,
    ) -> tuple[Document | None, list[FetchLogRecord]]:
        """Fetch one URL; never raises for a failed fetch (the log records say what happened).

        With `validators` (ETag, Last-Modified) the request is conditional: a 304 answer gives no
        Document and one record with `not_modified` set.
        """
        started = time.monotonic()
        scheme = urlsplit(url).scheme.lower()
        try:
            if scheme == "file":
                return self._fetch_file(url, source, local_ok, title, published)
            if scheme not in _HTTP_SCHEMES:
                raise RefusedError(f"unsupported URL scheme {scheme!r}", url=url)
            return self._fetch_http(url, source, title, published, validators)
        except RefusedError as error:
            return None, [_log(url, source, error=error, started=started)]
        except Exception as exc:  # noqa: BLE001 - one odd URL must not stop a batch run
            error = FetchError(f"unexpected error ({type(exc).__name__}: {exc})", url=url)
            return None, [_log(url, source, error=error, started=started)]

    def robots_policy(self, url: str) -> RobotsPolicy:
        """The robots.txt rules of `url`'s site (fetched on first use, then cached)."""
        return self._robots.policy_for(url)

    # -- local files -------------------------------------------------------------------------

    def _fetch_file(
        self, url: str, source: str, local_ok: bool, title: str | None, published: str | None
    ) -> tuple[Document | None, list[FetchLogRecord]]:
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        try:
            if not local_ok:
                raise RefusedError("file:// URL from a remote source", url=url)
            content = self._read_file(file_url_to_path(url), url)
        except NewsflowError as error:
            return None, [_log(url, source, error=error, started=started, fetched_at=fetched_at)]
        document = Document(
            source=source,
            url=url,
            final_url=url,
            content=content,
            content_type=_content_type_for(file_url_to_path(url)),
            status=None,
            fetched_at=fetched_at,
            entry_title=title,
            entry_published=published,
        )
        record = _log(url, source, started=started, fetched_at=fetched_at, size=len(content))
        return document, [record]

    def _read_file(self, path: Path, url: str) -> bytes:
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                raise RefusedError(
                    f"file is {size} bytes, over max_bytes={self.settings.max_bytes}", url=url
                )
            return path.read_bytes()
        except OSError as exc:
            raise FetchError(f"cannot read file ({exc.strerror or exc})", url=url) from exc

    # -- web archives ------------------------------------------------------------------------

    def read_archived(
        self,
        location: str,
        *,
        url: str,
        source: str,
        local_ok: bool = False,
        title: str | None = None,
        published: str | None = None,
    ) -> tuple[Document | None, list[FetchLogRecord]]:
        """The document stored in a WARC response record (see `warc_location`); never raises."""
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        try:
            if not local_ok:
                raise RefusedError("web archive named by a remote source", url=location)
            path, offset = _split_warc_location(location)
            status, content_type, content = self._read_warc_record(path, offset, location)
        except NewsflowError as error:
            return None, [_log(url, source, error=error, started=started, fetched_at=fetched_at)]
        document = Document(
            source=source,
            url=url,
            final_url=url,
            content=content,
            content_type=content_type,
            status=status,
            fetched_at=fetched_at,
            entry_title=title,
            entry_published=published,
            warc_record=location,
        )
        record = _log(
            url, source, started=started, fetched_at=fetched_at, status=status, size=len(content)
        )
        return document, [record]

    def _read_warc_record(
        self, path: Path, offset: int, location: str
    ) -> tuple[int | None, str | None, bytes]:
        """(HTTP status, content type, payload) of the response record at `offset`."""
        limit = self.settings.max_bytes
        try:
            with path.open("rb") as stream:
                stream.seek(offset)
                record = next(iter(ArchiveIterator(stream)), None)
                if record is None or record.rec_type != "response":
                    raise FetchError("no WARC response record at that offset", url=location)
                # content_stream() undoes chunking and Content-Encoding, as httpx would have.
                content = record.content_stream().read(limit + 1)
                headers = record.http_headers
        except _WARCIO_ERRORS as exc:
            raise FetchError(f"cannot read web archive ({exc})", url=location) from exc
        if len(content) > limit:
            raise RefusedError(f"archived body is over max_bytes={limit}", url=location)
        if headers is None:
            return None, None, content
        status = headers.get_statuscode()
        return (
            (int(status) if status and status.isdigit() else None),
            headers.get_header("Content-Type"),
            content,
        )

    # -- HTTP ----------------------------------------------------------------------------------

    def _fetch_http(
        self,
        url: str,
        source: str,
        title: str | None,
        published: str | None,
        validators: tuple[str | None, str | None] | None,
    ) -> tuple[Document | None, list[FetchLogRecord]]:
        records: list[FetchLogRecord] = []
        for attempt in range(self.settings.retries + 1):
            started = time.monotonic()
            fetched_at = datetime.now(UTC)
            last_attempt = attempt == self.settings.retries
            try:
                response = self._get(url, _conditional_headers(validators))
            except FetchError as error:
                record = _log(url, source, error=error, started=started, fetched_at=fetched_at)
                records.append(record.model_copy(update={"retried": attempt}))
                if error.transient and not last_attempt:
                    self._sleep_before_retry(attempt, None)
                    continue
                return None, records
            if _is_robots_txt(url):
                self._robots.remember(url, response.status, response.content)
            error = _status_error(response, url)
            record = _log(
                url, source, error=error, started=started, fetched_at=fetched_at, response=response
            )
            records.append(record.model_copy(update={"retried": attempt}))
            if response.status == 304:
                return None, records
            if error is None:
                return _document(url, source, response, fetched_at, title, published), records
            if error.transient and not last_attempt:
                self._sleep_before_retry(attempt, response.retry_after)
                continue
            return None, records
        return None, records

    def _sleep_before_retry(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            time.sleep(retry_after)
            return
        base = self.settings.backoff_seconds * (2**attempt)
        time.sleep(base + random.uniform(0, self.settings.backoff_seconds))

    def _get(self, url: str, headers: Mapping[str, str], *, robots: bool = True) -> _Response:
        """One attempt: GET `url`, following redirects hop by hop.

        `headers` (the conditional ones) go with the first hop only: they describe `url`.
        """
        current = url
        for hop in range(self.settings.max_redirects + 1):
            try:
                response, location = self._send_once(
                    current, headers if hop == 0 else {}, robots=robots
                )
            except _HTTPX_ERRORS as exc:
                raise _as_fetch_error(exc, current) from exc
            if location is None:
                return response
            current = urljoin(current, location)
        raise FetchError(f"more than {self.settings.max_redirects} redirects", url=url)

    def _send_once(
        self, url: str, headers: Mapping[str, str], *, robots: bool
    ) -> tuple[_Response, str | None]:
        """One request to one URL; returns the response and the redirect target, if any."""
        if urlsplit(url).scheme.lower() not in _HTTP_SCHEMES:
            raise RefusedError("redirect to a non-HTTP URL", url=url)
        delay = self.settings.delay_seconds
        # robots.txt itself is never subject to its own rules (RFC 9309).
        if robots and self.settings.respect_robots and not _is_robots_txt(url):
            delay = self._check_robots(url)
        request = self._build_request(url, headers)
        host = urlsplit(url).netloc.lower()
        with self._host_slot(host, delay):
            deadline = time.monotonic() + self._total_timeout()
            response = self._http.send(request, stream=True)
            try:
                location = response.headers.get("location") if response.is_redirect else None
                raw, content = (b"", b"") if location else self._read_body(response, url, deadline)
            finally:
                response.close()
        result = _Response(
            final_url=url,
            status=response.status_code,
            content_type=response.headers.get("content-type"),
            content=content,
            retry_after=_retry_after_seconds(response.headers.get("retry-after")),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            warc_record=self._archive(url, request, response, raw),
        )
        return result, location

    def _check_robots(self, url: str) -> float:
        """Refuse `url` when its site's robots.txt says so; else the delay to keep for its host."""
        policy = self._robots.policy_for(url)
        if not policy.allows(url, self._agent):
            reason = policy.reason or f"disallowed by robots.txt for {self._agent!r}"
            raise RefusedError(reason, url=url)
        crawl_delay = policy.crawl_delay(self._agent) or 0.0
        return max(
            self.settings.delay_seconds, min(crawl_delay, self.settings.max_crawl_delay_seconds)
        )

    def _fetch_robots_txt(self, robots_url: str) -> RobotsPolicy:
        """What the site's robots.txt allows; see tasks/robots.py for the reading of failures."""
        try:
            response = self._get(robots_url, {}, robots=False)
        except RefusedError:
            raise
        except FetchError as error:
            if error.transient:  # no answer at all (RFC 9309: assume complete disallow)
                return unreachable_policy(str(error).removesuffix(f" ({robots_url})"))
            return policy_from_response(404, b"")  # a redirect loop counts as not found
        return policy_from_response(response.status, response.content)

    def _build_request(self, url: str, headers: Mapping[str, str]) -> httpx.Request:
        """The request for `url`, pinned to the checked address when private ones are refused."""
        if self.settings.allow_private_addresses:
            return self._http.build_request("GET", url, headers=dict(headers))
        address = _public_address(url)
        original = httpx.URL(url)
        pinned = original.copy_with(host=address)
        extensions = {"sni_hostname": original.host} if original.scheme == "https" else {}
        host_header = original.netloc.decode("ascii")
        return self._http.build_request(
            "GET", pinned, headers={**headers, "Host": host_header}, extensions=extensions
        )

    @contextmanager
    def _host_slot(self, host: str, delay: float) -> Iterator[None]:
        if self.settings.global_host_limits:
            # Several workers: the Prefect server keeps the limits for all of them.
            with global_host_slot(host, self.settings.max_in_flight_per_host, delay):
                yield
            return
        with self._lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(max(1, self.settings.max_in_flight_per_host))
                self._host_slots[host] = slot
        with slot:
            _wait_for_turn(host, delay)
            yield

    def _total_timeout(self) -> float:
        total = self.settings.total_timeout_seconds
        return (
            total if total is not None else self.settings.timeout_seconds * _TOTAL_DEADLINE_FACTOR
        )

    def _read_body(
        self, response: httpx.Response, url: str, deadline: float
    ) -> tuple[bytes, bytes]:
        """(bytes as sent, decoded body), giving up once either passes max_bytes or the deadline."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise RefusedError(f"body of {declared} bytes is over max_bytes={limit}", url=url)
        inflater = _Inflater(response.headers.get("content-encoding"), url)
        raw: list[bytes] = []
        decoded: list[bytes] = []
        raw_size = decoded_size = 0
        for chunk in response.iter_raw():
            raw_size += len(chunk)
            data = inflater.inflate(chunk, limit - decoded_size + 1)
            decoded_size += len(data)
            if raw_size > limit or decoded_size > limit:
                raise RefusedError(f"body is over max_bytes={limit}", url=url)
            if time.monotonic() > deadline:
                raise FetchError("body took too long to arrive", url=url, transient=True)
            raw.append(chunk)
            decoded.append(data)
        return b"".join(raw), b"".join(decoded)

    def _archive(
        self, url: str, request: httpx.Request, response: httpx.Response, raw: bytes
    ) -> str | None:
        if self.archive is None:
            return None
        return self.archive.write_exchange(
            url=url,
            request_headers=_text_headers(request.headers),
            status=response.status_code,
            reason=response.reason_phrase,
            http_version=response.http_version,
            response_headers=_text_headers(response.headers),
            body=raw,
        )


def _is_robots_txt(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


def _text_headers(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw]


def _status_error(response: _Response, url: str) -> FetchError | None:
    # 304 answers our conditional GET: nothing new, and nothing wrong.
    if 200 <= response.status < 300 or response.status == 304:
        return None
    transient = response.status in _RETRYABLE_STATUSES
    return FetchError(
        f"HTTP {response.status}", url=url, status=response.status, transient=transient
    )


def _document(
    url: str,
    source: str,
    response: _Response,
    fetched_at: datetime,
    title: str | None,
    published: str | None,
) -> Document:
    return Document(
        source=source,
        url=url,
        final_url=response.final_url,
        content=response.content,
        content_type=response.content_type,
        status=response.status,
        fetched_at=fetched_at,
        entry_title=title,
        entry_published=published,
        warc_record=response.warc_record,
    )


def _log(
    url: str,
    source: str,
    *,
    started: float,
    fetched_at: datetime | None = None,
    error: NewsflowError | None = None,
    status: int | None = None,
    size: int = 0,
    response: _Response | None = None,
) -> FetchLogRecord:
    validators: dict[str, object] = {}
    if response is not None:
        status, size = response.status, len(response.content)
        validators = {"warc_record": response.warc_record, "not_modified": status == 304}
        if status == 200:  # only a complete answer's validators are worth remembering
            validators.update(etag=response.etag, last_modified=response.last_modified)
    return FetchLogRecord(
        source=source,
        url=url,
        status=status,
        error=str(error) if error else None,
        error_class=type(error).__name__ if error else None,
        bytes=size,
        elapsed_ms=(time.monotonic() - started) * 1000.0,
        fetched_at=fetched_at or datetime.now(UTC),
        refused=isinstance(error, RefusedError),
        **validators,
    )


def _fetch_entry(
    fetcher: Fetcher, entry: Entry, local_ok: bool
) -> tuple[Document | None, list[FetchLogRecord]]:
    if entry.archived_at:
        return fetcher.read_archived(
            entry.archived_at,
            url=entry.url,
            source=entry.source,
            local_ok=local_ok,
            title=entry.title,
            published=entry.published,
        )
    return fetcher.fetch(
        entry.url,
        source=entry.source,
        local_ok=local_ok,
        title=entry.title,
        published=entry.published,
    )


def fetch_entries(
    entries: Sequence[Entry],
    settings: FetchSettings,
    *,
    local_ok: bool = False,
    archive_dir: Path | None = None,
) -> tuple[list[Document], list[FetchLogRecord]]:
    """Fetch every entry, `max_concurrency` at a time; failures are in the log, not raised.

    Documents and records come back in the order of `entries`, whatever order they finished in.
    """
    documents: list[Document] = []
    records: list[FetchLogRecord] = []
    if not entries:
        return documents, records
    workers = max(1, min(settings.max_concurrency, len(entries)))
    with (
        Fetcher(settings, archive_dir=archive_dir) as fetcher,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool,
    ):
        results = list(pool.map(lambda entry: _fetch_entry(fetcher, entry, local_ok), entries))
    for document, attempt_records in results:
        records.extend(attempt_records)
        if document is not None:
            documents.append(document)
    return documents, records
