"""The plain records that pass from one stage to the next.

sources.yaml ─► Source ─► discover ─► Entry ─► fetch ─► Document (+ FetchLogRecord)
─► parse ─► ParsedArticle ─► extract ─► ArticleRecord (claims, events, entities) ─► load

Every record is frozen: a stage never edits what an earlier stage produced, it makes a new record.
Field names of `ArticleRecord` and its parts are the `newsflow parse --jsonl` contract of DESIGN.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SourceKind = Literal["feed", "sitemap", "url", "folder", "warc"]
Role = Literal["actor", "recipient"]
DatePrecision = Literal["day", "week", "month", "year"]
# Whether an event took place as told: "met" happened, "will meet" is planned, "could meet" or
# "threatened to meet" is hypothetical, "refused to meet" / "did not meet" is negated.
EventStatus = Literal["happened", "planned", "hypothetical", "negated"]
# How precisely a place is known: a city (or smaller), a state or province, a country, or a
# region (a sea, a continent) with no single country.
LocationPrecision = Literal["city", "state", "country", "region"]

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FetchSettings(_Record):
    """Top-level `fetch:` options of sources.yaml, applied to every source."""

    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow)"
    allow_private_addresses: bool = False
    max_entries_per_source: int = 500
    # Base of the exponential backoff between retries (seconds); jitter is added on top.
    backoff_seconds: float = 0.5
    # Politeness (issue 3). A source may override these with keys of the same name (and
    # `max_in_flight` for `max_in_flight_per_host`) beside its `kind` and `url`.
    delay_seconds: float = 1.0  # minimum time between two request starts to one host
    max_in_flight_per_host: int = 2
    max_concurrency: int = 8  # threads fetching at once, all hosts together
    # delay_seconds and max_in_flight_per_host kept for every process at once (several workers)
    # by Prefect global concurrency limits (tasks/host_limits.py); None: on when run as a shard.
    global_host_limits: bool | None = None
    respect_robots: bool = True
    max_crawl_delay_seconds: float = 30.0  # a robots.txt Crawl-delay above this is capped
    connect_timeout_seconds: float = 10.0
    # Bound on one request from its first byte sent to its last byte read; None = 3 x timeout.
    total_timeout_seconds: float | None = None
    warc_max_bytes: int = 1_000_000_000  # a WARC file is rotated once it grows past this


class Source(_Record):
    """One entry under `sources:` in sources.yaml."""

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str
    kind: SourceKind
    url: str | None = None
    path: str | None = None

    @property
    def location(self) -> str:
        return self.url or self.path or ""


class Settings(_Record):
    """The whole of sources.yaml."""

    sources: tuple[Source, ...] = ()
    fetch: FetchSettings = FetchSettings()
    # Mark copies of a stored story (`dup_of`) and skip their extraction; `dedupe: false` extracts
    # every copy, for studying syndication (and for benchmarks that serve copies of one page).
    dedupe: bool = True


class Entry(_Record):
    """Something discovered that may be an article: a feed item, a file, a URL."""

    source: str
    url: str
    title: str | None = None
    published: str | None = None
    entry_id: str | None = None
    # The feed's own "updated" date (ISO 8601) when it gives one: a stored entry is fetched
    # again only when this (or `published`) is later than when it was stored.
    updated: str | None = None
    # Set for entries read from a web archive: "file:///path.warc.gz#offset=N" names the WARC
    # response record whose payload is the document, so fetch reads it instead of the network.
    archived_at: str | None = None


class Document(_Record):
    """Raw bytes of one fetched entry, as the server (or the disk) gave them."""

    source: str
    url: str
    final_url: str
    content: bytes
    content_type: str | None = None
    status: int | None = None
    fetched_at: datetime
    entry_title: str | None = None
    entry_published: str | None = None
    warc_record: str | None = None


class FetchLogRecord(_Record):
    """One attempt to fetch something, successful or not."""

    source: str
    url: str
    status: int | None
    error: str | None = None
    error_class: str | None = None
    bytes: int = 0
    elapsed_ms: float = 0.0
    fetched_at: datetime
    not_modified: bool = False
    retried: int = 0
    refused: bool = False
    # Validators the server sent with a 200, remembered for the next conditional GET.
    etag: str | None = None
    last_modified: str | None = None
    # Where the response was archived: "path/to/file.warc.gz#offset=N".
    warc_record: str | None = None


class ParsedArticle(_Record):
    """What the parse stage makes of one document: text and metadata, no NLP yet."""

    url: str | None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    language: str | None = None
    text: str = ""
    captions: tuple[str, ...] = ()
    source: str | None = None
    site_name: str | None = None
    # The page's own <link rel=canonical> / og:url; `url` stays the URL it was fetched from.
    canonical_url: str | None = None
    # Last modification, same form as `published` (ISO date, or date-time with its offset).
    modified: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    # Absolute URL of the lead image (og:image, JSON-LD image, twitter:image).
    image: str | None = None
    description: str | None = None


class EntityMention(_Record):
    name: str
    type: str
    start: int
    end: int


class ClaimRecord(_Record):
    """Who asserted what: `content` is text[content_start:content_end], `source` likewise."""

    content: str
    content_start: int
    content_end: int
    source: str | None
    source_start: int | None
    source_end: int | None
    cue: str | None
    is_direct_quote: bool
    speaker: str | None = None
    speaker_kind: str | None = None
    cited_source: str | None = None


class EventActor(_Record):
    name: str
    role: Role
    country_code: str | None = None
    sector: str | None = None


class EventRecord(_Record):
    """Who did what to whom, where and when, in one sentence."""

    event_type: str
    trigger: str
    trigger_start: int
    trigger_end: int
    date: str | None
    date_precision: DatePrecision | None
    date_text: str | None = None
    location: str | None = None
    country_code: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    actors: tuple[EventActor, ...] = ()
    sentence: str = ""
    sentence_start: int = 0
    # PLOVER mode where the type has one ("visit", "multilateral", "phone" for CONSULT).
    mode: str | None = None
    status: EventStatus = "happened"
    # PLOVER contexts (military, diplomatic, economic, ...) and named topics ("South China Sea").
    contexts: tuple[str, ...] = ()
    # The place geocoded offline: coordinates of the place itself, never of a country's centre
    # presented as a city (a country has location_precision "country").
    latitude: float | None = None
    longitude: float | None = None
    location_precision: LocationPrecision | None = None


class ArticleRecord(ParsedArticle):
    """A parsed article with what extraction found in it: the `newsflow parse --jsonl` record."""

    # `minhash` travels through JSON (staged batches) as base64.
    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64"
    )

    claims: tuple[ClaimRecord, ...] = ()
    events: tuple[EventRecord, ...] = ()
    entities: tuple[EntityMention, ...] = ()
    fetched_at: datetime | None = None
    final_url: str | None = None
    warc_record: str | None = None
    # The article_id (schemas.ids.article_id) of the first stored copy when this article repeats
    # it (same canonical URL, same text, or the same wire story); its claims and events are the
    # first copy's, so a duplicate is stored with none of its own.
    dup_of: str | None = None
    # What later runs recognise this article by (tasks.dedupe): its text fingerprint and MinHash.
    text_fingerprint: str | None = None
    minhash: bytes | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=_NOT_IN_JSON)


# Pipeline bookkeeping, not part of the `newsflow parse --jsonl` record.
_NOT_IN_JSON = {"fetched_at", "final_url", "warc_record", "dup_of", "text_fingerprint", "minhash"}
