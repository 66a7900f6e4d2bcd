"""The discover stage: turn one configured source into entries (URLs that may be articles).

Kinds of source:
- `feed`: RSS/Atom (feedparser) or JSON Feed, fetched with our own client, never by feedparser;
- `sitemap`: XML sitemap, sitemap index or Google News sitemap (lxml with a safe parser); a URL
  ending in /robots.txt stands for the sitemaps its `Sitemap:` lines list;
- `folder`: every *.txt, *.html, *.htm and *.json file below a folder, sorted;
- `url`: one article URL or file path;
- `warc`: every 2xx HTTP response record of a local WARC file (warcio); fetch then reads the
  payload from the archive, not the network.

Local locations (a path relative to `base_dir`, or a file:// URL) are read from disk; their entries
may then be fetched from disk too (`is_local_source`). Nothing here raises for a broken source: the
problem becomes a `FetchLogRecord` and the run goes on. Errors of feedparser, json, lxml and warcio
become `ParseError` in `_parse_feed`, `_parse_json_feed`, `_parse_sitemap_xml` and `_warc_entries`.

Feeds and sitemaps are fetched with conditional GET when `validators` has their URL: a 304 is one
log record with `not_modified` set, and no entries. An entry whose URL is in `known_urls` is new
again only when the feed dates it (updated, else published) after the stored fetch time.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from schemas.errors import ConfigError, FetchError, NewsflowError, ParseError, RefusedError
from schemas.records import Document, Entry, FetchLogRecord, FetchSettings, Source
from tasks.fetch import Fetcher, file_url_to_path, warc_location
from tasks.robots import policy_from_response
from tasks.sources import source_fetch_settings

__all__ = ["discover", "feed_entries", "is_local_source", "sitemap_entries"]

_REMOTE_SCHEMES = frozenset({"http", "https"})
_ENTRY_SCHEMES = frozenset({"http", "https", "file"})
_FOLDER_SUFFIXES = frozenset({".txt", ".html", ".htm", ".json"})
# A sitemap index may list thousands of sitemaps; one run reads at most this many of them.
_MAX_SITEMAPS = 50
_GZIP_MAGIC = b"\x1f\x8b"
# Entity declarations that cannot blow up: short literal text or one character reference.
_MAX_SAFE_ENTITY_CHARS = 64
_CHARACTER_REFERENCE = re.compile(r"&#(?:[0-9]+|x[0-9a-fA-F]+);")
# feedparser needs a content type to trust the XML parser; local files have none.
_DEFAULT_FEED_CONTENT_TYPE = "application/xml"


def is_local_source(source: Source, base_dir: Path) -> bool:
    """True for folder sources and for sources given as a file path or a file:// URL."""
    if source.kind == "folder":
        return True
    location = source.location
    if not location:
        return False
    return urlsplit(location).scheme.lower() not in _REMOTE_SCHEMES


def discover(
    source: Source,
    settings: FetchSettings,
    *,
    base_dir: Path,
    known_urls: Container[str] = frozenset(),
    validators: Mapping[str, tuple[str | None, str | None]] | None = None,
    archive_dir: Path | None = None,
) -> tuple[list[Entry], list[FetchLogRecord]]:
    """New entries of `source` (see `known_urls` above, at most max_entries_per_source) and a log.

    `known_urls` maps stored URLs to when they were fetched (naive UTC); a plain set of URLs
    works too. `validators` maps feed and sitemap URLs to their (ETag, Last-Modified); responses
    are archived as WARC under `archive_dir` when given. Options of the source (`delay_seconds`,
    `max_in_flight`, ...) override those of `settings`.
    """
    started = time.monotonic()
    limit = settings.max_entries_per_source
    try:
        settings = source_fetch_settings(source, settings)
        limit = settings.max_entries_per_source
        context = _Context(base_dir, known_urls, validators or {}, archive_dir, limit)
        entries, records = _discover_kind(source, settings, context)
    except NewsflowError as error:
        return [], [_error_record(source, error, started)]
    except Exception as exc:  # noqa: BLE001 - one broken source must not stop the run
        error = ParseError(f"unexpected error ({type(exc).__name__}: {exc})", url=source.location)
        return [], [_error_record(source, error, started)]
    return _select_new(entries, known_urls, limit), records


@dataclass(frozen=True)
class _Context:
    """What discovery of any source needs besides the source and its settings."""

    base_dir: Path
    known_urls: Container[str]
    validators: Mapping[str, tuple[str | None, str | None]]
    archive_dir: Path | None
    limit: int


def _discover_kind(
    source: Source, settings: FetchSettings, context: _Context
) -> tuple[list[Entry], list[FetchLogRecord]]:
    base_dir, known_urls, limit = context.base_dir, context.known_urls, context.limit
    if source.kind == "folder":
        return _folder_entries(source, base_dir), []
    if source.kind == "url":
        return [Entry(source=source.name, url=_location_url(source, base_dir))], []
    if source.kind == "feed":
        return _feed_source_entries(source, settings, context)
    if source.kind == "sitemap":
        return _sitemap_source_entries(source, settings, context)
    if source.kind == "warc":
        return _warc_entries(source, base_dir, known_urls, limit), []
    raise ConfigError(f"source kind {source.kind!r} is not yet supported", url=source.location)


def _select_new(entries: Iterable[Entry], known_urls: Container[str], limit: int) -> list[Entry]:
    """Drop known (and not updated) and repeated URLs; keep the first `limit` in source order."""
    selected: list[Entry] = []
    seen: set[str] = set()
    for entry in entries:
        if len(selected) >= limit:
            break
        if entry.url in seen or _already_stored(entry, known_urls):
            continue
        seen.add(entry.url)
        selected.append(entry)
    return selected


def _already_stored(entry: Entry, known_urls: Container[str]) -> bool:
    """True when `entry` is stored and its source does not date it after it was stored."""
    if entry.url not in known_urls:
        return False
    stored_at = known_urls.get(entry.url) if isinstance(known_urls, Mapping) else None
    dated = _utc_datetime(entry.updated or entry.published)
    if not isinstance(stored_at, datetime) or dated is None:
        return True
    if stored_at.tzinfo is None:  # the warehouse keeps naive UTC
        stored_at = stored_at.replace(tzinfo=UTC)
    return dated <= stored_at


def _utc_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime (a bare date is its midnight)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# -- locations ---------------------------------------------------------------------------------


def _local_path(location: str, base_dir: Path) -> Path:
    if urlsplit(location).scheme.lower() == "file":
        return file_url_to_path(location)
    path = Path(location).expanduser()
    return (path if path.is_absolute() else base_dir / path).resolve()


def _location_url(source: Source, base_dir: Path) -> str:
    """The source's location as a URL: http(s) as given, local paths as file:// URLs."""
    location = source.location
    if not location:
        raise ConfigError(f"source {source.name!r} has neither url nor path")
    if urlsplit(location).scheme.lower() in _REMOTE_SCHEMES:
        return location
    return _local_path(location, base_dir).as_uri()


def _with_error(record: FetchLogRecord, error: NewsflowError) -> FetchLogRecord:
    """The fetch of a feed or sitemap succeeded but its content did not: say so on its record."""
    return record.model_copy(
        update={
            "error": str(error),
            "error_class": type(error).__name__,
            "refused": isinstance(error, RefusedError),
        }
    )


def _error_record(source: Source, error: NewsflowError, started: float) -> FetchLogRecord:
    return FetchLogRecord(
        source=source.name,
        url=error.url or source.location,
        status=None,
        error=str(error),
        error_class=type(error).__name__,
        elapsed_ms=(time.monotonic() - started) * 1000.0,
        fetched_at=datetime.now(UTC),
        refused=isinstance(error, RefusedError),
    )


# -- folders -----------------------------------------------------------------------------------


def _folder_entries(source: Source, base_dir: Path) -> list[Entry]:
    location = source.path or source.url
    if not location:
        raise ConfigError(f"folder source {source.name!r} has no path")
    folder = _local_path(location, base_dir)
    if not folder.is_dir():
        raise ConfigError(f"folder not found: {folder}", url=folder.as_uri())
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in _FOLDER_SUFFIXES and path.is_file()
    )
    return [Entry(source=source.name, url=path.as_uri()) for path in files]


# -- feeds -------------------------------------------------------------------------------------


def _feed_source_entries(
    source: Source, settings: FetchSettings, context: _Context
) -> tuple[list[Entry], list[FetchLogRecord]]:
    url = _location_url(source, context.base_dir)
    with Fetcher(settings, archive_dir=context.archive_dir) as fetcher:
        local = is_local_source(source, context.base_dir)
        document, records = fetcher.fetch(
            url, source=source.name, local_ok=local, validators=context.validators.get(url)
        )
    if document is None:  # failed, or not modified since the last run
        return [], records
    try:
        entries = feed_entries(
            document.content,
            base_url=document.final_url,
            source=source.name,
            content_type=document.content_type,
        )
    except ParseError as error:
        records[-1] = _with_error(records[-1], error)
        return [], records
    return entries, records


def feed_entries(
    content: bytes, *, base_url: str, source: str, content_type: str | None = None
) -> list[Entry]:
    """Entries of an RSS, Atom or JSON feed; links resolved against `base_url`."""
    if content.lstrip()[:1] == b"{":
        return _json_feed_entries(_parse_json_feed(content, base_url), base_url, source)
    _refuse_entity_declarations(content, base_url)
    parsed = _parse_feed(content, base_url, content_type)
    entries = [_feed_entry(item, base_url, source) for item in parsed.entries]
    return [entry for entry in entries if entry is not None]


def _refuse_entity_declarations(content: bytes, url: str) -> None:
    """Refuse XML whose DTD declares nested, external or large entities (entity-expansion bombs).

    feedparser drops such declarations itself, but it then recovers quietly; we want the run's log
    to say that a source served a hostile or broken document.
    """
    if b"<!ENTITY" not in content:
        return
    parser = _safe_xml_parser(recover=True)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML with entity declarations ({exc})", url=url) from exc
    _check_entities(root, url)


def _check_entities(root: etree._Element | None, url: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD if root is not None else None
    if dtd is None:
        return
    for entity in dtd.iterentities():
        value = entity.orig or ""
        safe = entity.system_url is None and (
            _CHARACTER_REFERENCE.fullmatch(value)
            or ("&" not in value and len(value) <= _MAX_SAFE_ENTITY_CHARS)
        )
        if not safe:
            raise RefusedError(
                f"document declares an unsafe XML entity {entity.name!r} "
                "(nested, external or large: possible entity-expansion attack)",
                url=url,
            )


def _parse_feed(
    content: bytes, base_url: str, content_type: str | None
) -> feedparser.FeedParserDict:
    """feedparser over bytes we fetched (never a URL: feedparser would fetch it itself)."""
    # No content-location header: feedparser's own URL joining drops a slash from file:/// URLs,
    # so it only applies xml:base and we resolve the rest against `base_url` with urljoin.
    headers = {"content-type": content_type or _DEFAULT_FEED_CONTENT_TYPE}
    try:
        parsed = feedparser.parse(content, response_headers=headers)
    except Exception as exc:  # noqa: BLE001 - feedparser has no error tree of its own
        raise ParseError(f"feed parser failed ({type(exc).__name__}: {exc})", url=base_url) from exc
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS, Atom or RDF root element"
        raise ParseError(f"not a readable feed ({reason})", url=base_url)
    return parsed


def _feed_entry(item: dict[str, Any], base_url: str, source: str) -> Entry | None:
    link = _absolute_link(_item_link(item), base_url)
    if link is None:
        return None
    return Entry(
        source=source,
        url=link,
        title=_clean(item.get("title")),
        published=_struct_time_iso(item),
        updated=_struct_time_iso(item, ("updated_parsed",)),
        entry_id=_clean(item.get("id")),
    )


def _item_link(item: dict[str, Any]) -> str | None:
    """The entry's article link: `link`, else an alternate link, else a permalink-style id."""
    if item.get("link"):
        return str(item["link"])
    for link in item.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    entry_id = str(item.get("id") or "")
    return entry_id if urlsplit(entry_id).scheme in _REMOTE_SCHEMES else None


def _absolute_link(link: str | None, base_url: str) -> str | None:
    if not link or not link.strip():
        return None
    try:
        absolute = urljoin(base_url, link.strip())
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:  # not a URL at all (e.g. "//["): this item has no link, the feed goes on
        return None
    return absolute if scheme in _ENTRY_SCHEMES else None


def _struct_time_iso(
    item: dict[str, Any],
    keys: tuple[str, ...] = ("published_parsed", "updated_parsed", "created_parsed"),
) -> str | None:
    """feedparser's parsed dates are UTC struct_times; give the first of `keys` as ISO 8601."""
    for key in keys:
        value = item.get(key)
        if value:
            return datetime(*value[:6], tzinfo=UTC).isoformat()
    return None


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _parse_json_feed(content: bytes, base_url: str) -> dict[str, Any]:
    """JSON Feed (jsonfeed.org), which feedparser 6.0 does not read."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not a readable JSON feed ({exc})", url=base_url) from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("not a JSON feed (no items list)", url=base_url)
    return data


def _json_feed_entries(data: dict[str, Any], base_url: str, source: str) -> list[Entry]:
    entries: list[Entry] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = _absolute_link(item.get("url") or item.get("external_url"), base_url)
        if link is None:
            continue
        published = _iso_or_none(item.get("date_published") or item.get("date_modified"))
        entries.append(
            Entry(
                source=source,
                url=link,
                title=_clean(item.get("title")),
                published=published,
                updated=_iso_or_none(item.get("date_modified")),
                entry_id=_clean(item.get("id")),
            )
        )
    return entries


def _iso_or_none(value: object) -> str | None:
    """An RFC 3339 / W3C date string normalised to ISO 8601 (a bare date stays a date)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


# -- sitemaps ----------------------------------------------------------------------------------


def _sitemap_source_entries(
    source: Source, settings: FetchSettings, context: _Context
) -> tuple[list[Entry], list[FetchLogRecord]]:
    """Read a sitemap, following a sitemap index breadth-first until enough new entries."""
    local = is_local_source(source, context.base_dir)
    pending = [_location_url(source, context.base_dir)]
    visited: set[str] = set()
    entries: list[Entry] = []
    new_urls: set[str] = set()  # to stop reading once there are enough new entries
    records: list[FetchLogRecord] = []
    with Fetcher(settings, archive_dir=context.archive_dir) as fetcher:
        while pending and len(visited) < _MAX_SITEMAPS:
            url = pending.pop(0)
            if url in visited:
                continue
            visited.add(url)
            document, attempt_records = fetcher.fetch(
                url, source=source.name, local_ok=local, validators=context.validators.get(url)
            )
            records.extend(attempt_records)
            if document is None:  # failed, or not modified since the last run
                continue
            try:
                children, found = _sitemap_document_entries(document, source.name, settings)
            except NewsflowError as error:
                records[-1] = _with_error(records[-1], error)
                continue
            pending.extend(children)
            entries.extend(found)
            new_urls.update(entry.url for entry in found if entry.url not in context.known_urls)
            if len(new_urls) >= context.limit:
                break
    return entries, records


def _sitemap_document_entries(
    document: Document, source: str, settings: FetchSettings
) -> tuple[list[str], list[Entry]]:
    """(child sitemaps, entries) of a fetched sitemap; a robots.txt gives its Sitemap: lines."""
    if urlsplit(document.final_url).path.endswith("/robots.txt"):
        policy = policy_from_response(200, document.content)
        children = [_absolute_link(url, document.final_url) for url in policy.sitemaps]
        return [url for url in children if url], []
    return sitemap_entries(
        document.content, base_url=document.final_url, source=source, max_bytes=settings.max_bytes
    )


def sitemap_entries(
    content: bytes, *, base_url: str, source: str, max_bytes: int
) -> tuple[list[str], list[Entry]]:
    """(child sitemap URLs, article entries) of a sitemap, sitemap index or news sitemap."""
    xml = _gunzip(content, base_url, max_bytes)
    _refuse_entity_declarations(xml, base_url)
    root = _parse_sitemap_xml(xml, base_url)
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        children = [_absolute_link(_child_text(node, "loc"), base_url) for node in root]
        return [url for url in children if url], []
    if kind == "urlset":
        entries = [_sitemap_entry(node, base_url, source) for node in root]
        return [], [entry for entry in entries if entry is not None]
    raise ParseError(f"not a sitemap (root element {kind!r})", url=base_url)


def _gunzip(content: bytes, url: str, max_bytes: int) -> bytes:
    """Sitemaps are often served as .xml.gz files; inflate them within max_bytes."""
    if not content.startswith(_GZIP_MAGIC):
        return content
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, max_bytes + 1)
    except zlib.error as exc:
        raise ParseError(f"broken gzip data ({exc})", url=url) from exc
    if len(data) > max_bytes:
        raise RefusedError(f"sitemap inflates to more than max_bytes={max_bytes}", url=url)
    return data


def _safe_xml_parser(*, recover: bool = False) -> etree.XMLParser:
    # No entity expansion, no DTD, no network and no huge trees: a hostile document stays small.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _parse_sitemap_xml(content: bytes, url: str) -> etree._Element:
    try:
        root = etree.fromstring(content, parser=_safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed sitemap XML ({exc})", url=url) from exc
    if root is None:
        raise ParseError("empty sitemap", url=url)
    return root


def _child(node: etree._Element, name: str) -> etree._Element | None:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _child_text(node: etree._Element, name: str) -> str | None:
    child = _child(node, name)
    return _clean(child.text) if child is not None else None


def _sitemap_entry(node: etree._Element, base_url: str, source: str) -> Entry | None:
    if not isinstance(node.tag, str) or etree.QName(node).localname != "url":
        return None
    link = _absolute_link(_child_text(node, "loc"), base_url)
    if link is None:
        return None
    news = _child(node, "news")
    news_date = _child_text(news, "publication_date") if news is not None else None
    title = _child_text(news, "title") if news is not None else None
    lastmod = _iso_or_none(_child_text(node, "lastmod"))
    published = _iso_or_none(news_date) or lastmod
    return Entry(source=source, url=link, title=title, published=published, updated=lastmod)


# -- web archives ------------------------------------------------------------------------------


# What warcio raises on a damaged archive: its own errors, a bad gzip member, a cut-off file.
_WARCIO_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ValueError,
    zlib.error,
    EOFError,
)


def _warc_entries(
    source: Source, base_dir: Path, known_urls: Container[str], limit: int
) -> list[Entry]:
    """One entry per successful HTTP response record of a local WARC file."""
    if not is_local_source(source, base_dir):
        raise ConfigError("a warc source must be a local file", url=source.location)
    path = _local_path(source.location, base_dir)
    archive_url = path.as_uri()
    entries: list[Entry] = []
    new_urls: set[str] = set()  # to stop reading once there are enough new entries
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                url = _archived_page_url(record)
                if url is None:
                    continue
                offset = records.get_record_offset()
                entries.append(
                    Entry(
                        source=source.name, url=url, archived_at=warc_location(archive_url, offset)
                    )
                )
                if url not in known_urls:
                    new_urls.add(url)
                if len(new_urls) >= limit:
                    break
    except OSError as exc:
        raise FetchError(
            f"cannot read web archive ({exc.strerror or exc})", url=archive_url
        ) from exc
    except _WARCIO_ERRORS as exc:
        raise ParseError(f"not a readable WARC file ({exc})", url=archive_url) from exc
    return entries


def _archived_page_url(record: Any) -> str | None:
    """The target URL of a 2xx HTTP response record; None for every other record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not status.startswith("2") or urlsplit(url).scheme.lower() not in _REMOTE_SCHEMES:
        return None
    return url
