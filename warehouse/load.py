"""Loading batches of records into the warehouse: one transaction a batch, through Arrow.

An article goes in together with its claims, events, actors and entity mentions, or not at all, so a
run killed half way leaves no half-written article. Articles already stored are skipped (their ids
are stable hashes), which makes a second load of the same batch a no-op.

Rows go in by `MERGE INTO ... USING (key)` on the keys the migrations declare (`lake.table_keys`):
the one statement shape a DuckDB file and a DuckLake (which has no keys) both take. The file
enforces the keys of articles, entities and the logs; the tables of derived rows (claims, events,
actors, mentions) have none since migration 008, as an index there made every checkpoint slower
as the warehouse grew: each batch is deduplicated on its keys (`_unique`) before the MERGE.
`_load` notes the keys it wrote in `written`, for the lake's duplicate check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from schemas import ids
from schemas.records import ArticleRecord, ClaimRecord, EventRecord, FetchLogRecord
from warehouse.event_clusters import assign_event_clusters
from warehouse.lake import remove_duplicates, table_keys

# Keys written by one batch, table by table (see warehouse.lake.remove_duplicates).
Written = dict[str, list[tuple]]


@dataclass(frozen=True)
class LoadResult:
    new_articles: int = 0
    claims: int = 0
    events: int = 0
    fetch_log: int = 0
    updated_articles: int = 0


def _utc_naive(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def utc_timestamp(stated: str | None) -> datetime | None:
    """A stated ISO time (publication, modification) as naive UTC; None when it does not parse."""
    if not stated:
        return None
    try:
        return _utc_naive(datetime.fromisoformat(stated.replace("Z", "+00:00")))
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def article_row(record: ArticleRecord, extractor_version: str | None, parser_version: str | None):
    assert record.url, "an article to load needs a URL"
    return {
        "article_id": ids.article_id(record.url),
        "url": record.url,
        "final_url": record.final_url or record.url,
        "canonical_url": record.canonical_url,
        "source": record.source,
        "title": record.title,
        "authors": list(record.authors),
        "published_at": utc_timestamp(record.published),
        "published_text": record.published,
        "language": record.language,
        "text": record.text,
        "captions": list(record.captions),
        "text_hash": ids.text_hash(record.text),
        "fetched_at": _utc_naive(record.fetched_at) or _now(),
        "warc_record": record.warc_record,
        "dup_of": record.dup_of,
        "site_name": record.site_name,
        "modified_at": utc_timestamp(record.modified),
        "section": record.section,
        "tags": list(record.tags),
        "image_url": record.image,
        "description": record.description,
        "text_fingerprint": record.text_fingerprint,
        "minhash": record.minhash,
        "claim_count": len(record.claims),
        "event_count": len(record.events),
        "parser_version": parser_version,
        "extractor_version": extractor_version,
        "loaded_at": _now(),
    }


# spaCy's entity labels as entity types; speakers bring their kind (person, media, government...).
_NER_TYPES = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "EVENT": "event",
}
_VAGUE_TYPES = ("actor", "organisation")


def _entity(name: str, kind: str, country_code: str | None = None, sector: str | None = None):
    return {
        "entity_id": ids.entity_id(name),
        "name": name,
        "type": kind,
        "country_code": country_code,
        "sector": sector,
    }


def _speaker_entity(claim: ClaimRecord) -> dict[str, Any] | None:
    """The speaker as an entity; anonymous sources stay anonymous, never a named entity."""
    if not claim.speaker or claim.speaker_kind == "anonymous":
        return None
    return _entity(claim.speaker, claim.speaker_kind or "organisation")


def claim_rows(article: str, record: ArticleRecord) -> list[dict[str, Any]]:
    rows = []
    for claim in record.claims:
        row = claim.model_dump()
        speaker = _speaker_entity(claim)
        row["speaker_entity_id"] = speaker["entity_id"] if speaker else None
        rows.append(
            {
                "claim_id": ids.claim_id(article, claim.content_start, claim.content_end),
                "article_id": article,
                **row,
            }
        )
    return rows


def _participants(event: EventRecord) -> dict[str, Any]:
    """The event's participants on its own row (migration 006), as event_actors has them."""

    def names(role: str) -> str | None:
        found = sorted({a.name for a in event.actors if a.role == role})
        return "; ".join(found) or None

    countries = sorted({a.country_code for a in event.actors if a.country_code})
    return {"actors": names("actor"), "recipients": names("recipient"), "countries": countries}


def event_rows(article: str, record: ArticleRecord) -> tuple[list[dict], list[dict]]:
    events, actors = [], []
    for event in record.events:
        event_key = ids.event_id(article, event.event_type, event.trigger_start, event.trigger_end)
        row = event.model_dump(exclude={"actors", "date"})
        events.append(
            {
                "event_id": event_key,
                "article_id": article,
                "event_date": event.date,
                **row,
                **_participants(event),
            }
        )
        for actor in event.actors:
            actors.append(
                {
                    "event_id": event_key,
                    **actor.model_dump(),
                    "entity_id": ids.entity_id(actor.name),
                }
            )
    return events, actors


def entity_rows(article: str, record: ArticleRecord) -> tuple[list[dict], list[dict]]:
    """Entities named in the article (spaCy's), its speakers and its event actors, and mentions."""
    entities, mentions = [], []
    for mention in record.entities:
        entity = _entity(mention.name, _NER_TYPES.get(mention.type, mention.type.lower()))
        entities.append(entity)
        mentions.append(
            {
                "article_id": article,
                "entity_id": entity["entity_id"],
                "start_char": mention.start,
                "end_char": mention.end,
                "mention": mention.name,
            }
        )
    entities += filter(None, map(_speaker_entity, record.claims))
    for event in record.events:
        for actor in event.actors:
            entities.append(_entity(actor.name, "actor", actor.country_code, actor.sector))
    return entities, mentions


def _merge_entities(
    con: duckdb.DuckDBPyConnection, rows: list[dict], written: Written | None = None
) -> None:
    """Insert new entities; for known ones, fill in what was missing (country, sector, type).

    Only rows that gain something are updated: on a lake an update rewrites the row, and two
    writers updating the same table conflict."""
    rows = _unique_entities(rows)
    if not rows:
        return
    _note(written, "entities", rows)
    con.register("incoming_entities", pa.Table.from_pylist(rows))
    vague = ", ".join(f"'{kind}'" for kind in _VAGUE_TYPES)
    sharper = f"entities.type IN ({vague}) AND s.type NOT IN ({vague})"
    try:
        con.execute(
            "MERGE INTO entities USING (SELECT entity_id, name, type, country_code, sector"
            " FROM incoming_entities) s USING (entity_id)"
            " WHEN MATCHED AND ((entities.country_code IS NULL AND s.country_code IS NOT NULL)"
            " OR (entities.sector IS NULL AND s.sector IS NOT NULL)"
            f" OR ({sharper})) THEN UPDATE SET"
            " country_code = coalesce(entities.country_code, s.country_code),"
            " sector = coalesce(entities.sector, s.sector),"
            f" type = CASE WHEN {sharper} THEN s.type ELSE entities.type END"
            " WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    finally:
        con.unregister("incoming_entities")


def _unique_entities(rows: list[dict]) -> list[dict]:
    """One row per entity id, the most specific type and the first known country and sector."""
    merged: dict[str, dict] = {}
    for row in rows:
        seen = merged.setdefault(row["entity_id"], dict(row))
        if seen["type"] in _VAGUE_TYPES and row["type"] not in _VAGUE_TYPES:
            seen["type"] = row["type"]
        seen["country_code"] = seen["country_code"] or row["country_code"]
        seen["sector"] = seen["sector"] or row["sector"]
    return list(merged.values())


def fetch_log_rows(records: Iterable[FetchLogRecord], run_id: str | None) -> list[dict]:
    rows = []
    for attempt, record in enumerate(records):
        row = record.model_dump()
        row["fetched_at"] = _utc_naive(record.fetched_at)
        key = ids.stable_id("fetch", run_id, record.url, row["fetched_at"].isoformat(), attempt)
        rows.append({"log_id": key, "run_id": run_id, **row})
    return rows


def http_cache_rows(records: Iterable[FetchLogRecord]) -> list[dict]:
    """The validators of the latest good response per URL."""
    latest: dict[str, dict] = {}
    for record in sorted(records, key=lambda r: r.fetched_at):
        if record.status == 200 and (record.etag or record.last_modified):
            latest[record.url] = {
                "url": record.url,
                "etag": record.etag,
                "last_modified": record.last_modified,
                "updated_at": _utc_naive(record.fetched_at),
            }
    return list(latest.values())


def _unique(rows: list[dict], table: str) -> list[dict]:
    """One row per key of `table` (the first)."""
    key = table_keys()[table]
    seen: dict[tuple, dict] = {}
    for row in rows:
        seen.setdefault(tuple(row[k] for k in key), row)
    return list(seen.values())


def _note(written: Written | None, table: str, rows: list[dict]) -> None:
    if written is not None:
        key = table_keys()[table]
        written.setdefault(table, []).extend(tuple(row[k] for k in key) for row in rows)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[dict],
    *,
    replace: bool = False,
    written: Written | None = None,
) -> int:
    """Bulk merge through Arrow; rows whose key is already there are kept, or replaced (only
    where a value differs: an unchanged row is not rewritten)."""
    if not rows:
        return 0
    _note(written, table, rows)
    # Only the table's columns: a record may carry a field that no migration has added yet.
    stored = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    columns = [column for column in rows[0] if column in stored]
    incoming = pa.Table.from_pylist([{c: row[c] for c in columns} for row in rows])
    key = table_keys()[table]
    con.register("incoming", incoming)
    try:
        matched = ""
        if replace:
            values = [c for c in columns if c not in key]
            changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM incoming.{c}" for c in values)
            updates = ", ".join(f"{c} = incoming.{c}" for c in values)
            matched = f" WHEN MATCHED AND ({changed}) THEN UPDATE SET {updates}"
        con.execute(
            f"MERGE INTO {table} USING incoming USING ({', '.join(key)}){matched}"
            " WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    finally:
        con.unregister("incoming")
    return len(rows)


def _stored_versions(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> dict[str, tuple]:
    """(text_hash, extractor_version) of the stored articles among `keys`."""
    if not keys:
        return {}
    con.register("incoming_keys", pa.table({"article_id": list(keys)}))
    try:
        found = con.execute(
            "SELECT article_id, text_hash, extractor_version"
            " FROM articles JOIN incoming_keys USING (article_id)"
        ).fetchall()
    finally:
        con.unregister("incoming_keys")
    return {key: (text, version) for key, text, version in found}


def _delete_articles(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> list[str]:
    """Remove articles and everything derived from them (to be replaced in the same batch);
    return the event clusters their events belonged to."""
    if not keys:
        return []
    con.register("replaced_keys", pa.table({"article_id": list(keys)}))
    try:
        lost = con.execute(
            "SELECT DISTINCT cluster_id FROM events WHERE cluster_id IS NOT NULL"
            " AND article_id IN (SELECT article_id FROM replaced_keys)"
        ).fetchall()
        con.execute(
            "DELETE FROM event_actors WHERE event_id IN (SELECT event_id FROM events"
            " WHERE article_id IN (SELECT article_id FROM replaced_keys))"
        )
        for table in ("events", "claims", "entity_mentions", "articles"):
            con.execute(
                f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM replaced_keys)"
            )
    finally:
        con.unregister("replaced_keys")
    return [row[0] for row in lost]


def load_batch(
    warehouse: Path | str | None,
    records: Sequence[ArticleRecord],
    fetch_log: Sequence[FetchLogRecord] = (),
    *,
    run_id: str | None = None,
    extractor_version: str | None = None,
    parser_version: str | None = None,
) -> LoadResult:
    """Store articles with everything extracted from them, and the fetch log, atomically.

    An article already stored with the same text and extractor version is left as it is; one
    whose text or extractor version changed is replaced, with all its claims and events.
    When another process holds the file for more than a few seconds the batch is staged on disk
    and merged by the next writer (warehouse/staging.py); the counts are then all zero.
    """
    # Imported here: staging loads its batches through `_load` of this module.
    from warehouse.staging import StagedBatch, load_or_stage

    batch = StagedBatch(list(records), list(fetch_log), run_id, extractor_version, parser_version)
    return load_or_stage(warehouse, batch).result


def _load(
    con, records, fetch_log, run_id, extractor_version, parser_version, written=None
) -> LoadResult:
    by_id = {ids.article_id(r.url): r for r in records if r.url}
    stored = _stored_versions(con, list(by_id))
    new = {
        key: record
        for key, record in by_id.items()
        if stored.get(key) != (ids.text_hash(record.text), extractor_version)
    }
    replaced = [key for key in new if key in stored]
    lost_clusters = _delete_articles(con, replaced)
    articles, claims, events, actors, entities, mentions = [], [], [], [], [], []
    for key, record in new.items():
        articles.append(article_row(record, extractor_version, parser_version))
        claims += claim_rows(key, record)
        event_part, actor_part = event_rows(key, record)
        events += event_part
        actors += actor_part
        entity_part, mention_part = entity_rows(key, record)
        entities += entity_part
        mentions += mention_part
    _insert(con, "articles", articles, written=written)
    _merge_entities(con, entities, written)
    _insert(con, "entity_mentions", _unique(mentions, "entity_mentions"), written=written)
    claim_count = _insert(con, "claims", _unique(claims, "claims"), written=written)
    event_count = _insert(con, "events", _unique(events, "events"), written=written)
    _insert(con, "event_actors", _unique(actors, "event_actors"), written=written)
    assign_event_clusters(con, [row["event_id"] for row in events], lost_clusters)
    log_count = _insert(con, "fetch_log", fetch_log_rows(fetch_log, run_id), written=written)
    _insert(con, "http_cache", http_cache_rows(fetch_log), replace=True, written=written)
    return LoadResult(
        len(articles) - len(replaced), claim_count, event_count, log_count, len(replaced)
    )


# How copies of one key are folded into one row; other tables keep the first copy.
DUPLICATE_MERGES = {"entities": _unique_entities}
# Tables whose keys hash an article id: copied only when the article itself was.
_PER_ARTICLE = ("claims", "events", "event_actors", "entity_mentions")
# Tables whose keys hash a run id: one writer's own.
_PER_RUN = ("fetch_log", "runs")


def fold_copies(con: duckdb.DuckDBPyConnection, written: Written) -> int:
    """After a lake commit: fold the copies of the keys this batch wrote that a concurrent
    writer inserted too (see warehouse/lake.py). Return how many rows were removed."""
    articles = remove_duplicates(con, {"articles": written.get("articles", [])})
    skipped = ("articles", *_PER_ARTICLE, *_PER_RUN)
    shared = {table: keys for table, keys in written.items() if table not in skipped}
    removed = articles + remove_duplicates(con, shared, DUPLICATE_MERGES)
    if articles:
        derived: dict[str, list[tuple] | None] = {t: written.get(t, []) for t in _PER_ARTICLE}
        derived["event_clusters"] = None  # a copied event made a copied cluster: whole table
        removed += remove_duplicates(con, derived)
    return removed
