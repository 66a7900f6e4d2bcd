"""One canonical event per real-world event, however many sentences and articles report it.

Two mentions are the same event when they have the same PLOVER type, their dates overlap within
their precision ("last week" contains "on Tuesday"; a day may be off by one, as reports straddle
midnight), their places agree (the same country; two different cities are two events) and their
participants agree: for a meeting or an agreement the set of countries involved, for everything
else who did it to whom ("Israel struck Gaza" is not "Gaza struck Israel"). Countries alone
suffice when both mentions know them; otherwise a shared participant name must tie them.

`assign_event_clusters` runs inside the load transaction right after events and actors are
inserted: it matches each new event against stored clusters (and the batch's own new clusters),
creates clusters for the rest, and refreshes the mention counts. Negated and hypothetical events
are reports of nothing that happened, so they join no cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from schemas.ids import stable_id

__all__ = ["assign_event_clusters", "same_event"]

# Meetings, agreements and cooperation are reciprocal: every party is an actor.
_RECIPROCAL = frozenset({"CONSULT", "AGREE", "COOPERATE"})
_CLUSTERED_STATUSES = ("happened", "planned")
# How far around the new events' dates stored clusters are looked up.
_LOOKUP_DAYS = 400


@dataclass
class _Mention:
    """An event as clustering sees it: type, time span, place and participants."""

    event_id: str
    event_type: str
    start: date | None
    end: date | None  # exclusive
    location: str | None
    country_code: str | None
    location_precision: str | None
    names: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)  # "role:ISO3", role folded if reciprocal


@dataclass
class _Cluster(_Mention):
    cluster_id: str = ""
    date_precision: str | None = None
    is_new: bool = False
    changed: bool = False


def period_end(start: date, precision: str | None) -> date:
    """The first day after the period that starts on `start`."""
    if precision == "week":
        return start + timedelta(days=7)
    if precision == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if precision == "year":
        return start.replace(year=start.year + 1, month=1, day=1)
    return start + timedelta(days=1)


def _dates_overlap(a: _Mention, b: _Mention) -> bool:
    if a.start is None or b.start is None or a.end is None or b.end is None:
        return a.start is None and b.start is None
    slack = timedelta(days=1)
    return a.start < b.end + slack and b.start < a.end + slack


def _places_agree(a: _Mention, b: _Mention) -> bool:
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return False
    both_cities = a.location_precision == "city" and b.location_precision == "city"
    if both_cities and a.location and b.location:
        return a.location.casefold() == b.location.casefold()
    return True


def _participants_agree(a: _Mention, b: _Mention) -> bool:
    if a.countries and b.countries:
        if not (a.countries <= b.countries or b.countries <= a.countries):
            return False
        return a.countries == b.countries or bool(a.names & b.names)
    return bool(a.names & b.names)


def same_event(a: _Mention, b: _Mention) -> bool:
    """Whether two mentions report one real-world event (see the module docstring)."""
    return (
        a.event_type == b.event_type
        and _dates_overlap(a, b)
        and _places_agree(a, b)
        and _participants_agree(a, b)
    )


def assign_event_clusters(
    con: duckdb.DuckDBPyConnection, event_ids: Sequence[str], lost: Sequence[str] = ()
) -> int:
    """Give each of the (already inserted) events a cluster; return how many clusters are new.

    `lost` are the clusters of events deleted in the same transaction (replaced articles): their
    counts are refreshed too, and those left with no event dropped."""
    mentions = _load_mentions(con, event_ids)
    if not mentions:
        _refresh_counts(con, lost)
        return 0
    clusters = _load_clusters(con, mentions)
    # Only clusters of a mention's own type can take it: looking there alone keeps a batch's
    # cost from growing with every cluster of the period (thousands, in a long run).
    of_type: dict[str, list[_Cluster]] = defaultdict(list)
    for cluster in clusters:
        of_type[cluster.event_type].append(cluster)
    assignments: list[tuple[str, str]] = []
    for mention, precision in mentions:
        candidates = of_type[mention.event_type] if _can_join(mention) else []
        cluster = next((c for c in candidates if same_event(c, mention)), None)
        if cluster is None:
            cluster = _new_cluster(mention, precision)
            clusters.append(cluster)
            candidates.append(cluster)
        else:
            _absorb(cluster, mention)
        assignments.append((mention.event_id, cluster.cluster_id))
    _store(con, clusters, assignments)
    _refresh_counts(con, [*lost, *(cluster for _, cluster in assignments)])
    return sum(c.is_new for c in clusters)


def _can_join(mention: _Mention) -> bool:
    """Whether a mention can share a cluster: one naming no participant agrees with no other
    (see _participants_agree), so it stays alone; most of a long run's clusters are such."""
    return bool(mention.names or mention.countries)


def _load_mentions(
    con: duckdb.DuckDBPyConnection, event_ids: Sequence[str]
) -> list[tuple[_Mention, str | None]]:
    if not event_ids:
        return []
    con.register("cluster_event_ids", pa.table({"event_id": list(dict.fromkeys(event_ids))}))
    try:
        rows = con.execute(
            "SELECT e.event_id, e.event_type, e.event_date, e.date_precision, e.location,"
            " e.country_code, e.location_precision,"
            " list(a.name) FILTER (WHERE a.name IS NOT NULL),"
            " list(a.role || ':' || a.country_code) FILTER (WHERE a.country_code IS NOT NULL)"
            " FROM events e JOIN cluster_event_ids USING (event_id)"
            " LEFT JOIN event_actors a USING (event_id)"
            " WHERE coalesce(e.status, 'happened') IN ('happened', 'planned')"
            " GROUP BY e.event_id, e.event_type, e.event_date, e.date_precision, e.location,"
            " e.country_code, e.location_precision, e.article_id, e.sentence_start"
            " ORDER BY e.event_date NULLS LAST, e.article_id, e.sentence_start"
        ).fetchall()
    finally:
        con.unregister("cluster_event_ids")
    mentions = []
    for event_id, kind, day, precision, where, country, place_precision, names, pairs in rows:
        mention = _Mention(
            event_id=event_id,
            event_type=kind,
            start=day,
            end=period_end(day, precision) if day else None,
            location=where,
            country_code=country,
            location_precision=place_precision,
            names=set(names or ()),
            countries=_fold(kind, pairs or ()),
        )
        mentions.append((mention, precision))
    return mentions


def _fold(event_type: str, pairs: Sequence[str]) -> set[str]:
    if event_type in _RECIPROCAL:
        return {"actor:" + pair.split(":", 1)[1] for pair in pairs}
    return set(pairs)


def _load_clusters(
    con: duckdb.DuckDBPyConnection, mentions: list[tuple[_Mention, str | None]]
) -> list[_Cluster]:
    types = sorted({m.event_type for m, _ in mentions})
    days = [m.start for m, _ in mentions if m.start is not None]
    low = min(days) - timedelta(days=_LOOKUP_DAYS) if days else date.min
    high = max(days) + timedelta(days=_LOOKUP_DAYS) if days else date.max
    rows = con.execute(
        "SELECT cluster_id, event_type, event_date, date_precision, location, country_code,"
        " location_precision, participants, countries, first_event_id FROM event_clusters"
        " WHERE list_contains(?, event_type)"
        " AND (event_date IS NULL OR event_date BETWEEN ? AND ?)"
        # a cluster naming no participant can take no other mention (_can_join)
        " AND (len(coalesce(participants, [])) > 0 OR len(coalesce(countries, [])) > 0)"
        " ORDER BY cluster_id",
        [types, low, high],
    ).fetchall()
    clusters = []
    for key, kind, day, precision, where, country, place_precision, names, pairs, first in rows:
        clusters.append(
            _Cluster(
                event_id=first,
                event_type=kind,
                start=day,
                end=period_end(day, precision) if day else None,
                location=where,
                country_code=country,
                location_precision=place_precision,
                names=set(names or ()),
                countries=set(pairs or ()),
                cluster_id=key,
                date_precision=precision,
            )
        )
    return clusters


def _new_cluster(mention: _Mention, precision: str | None) -> _Cluster:
    return _Cluster(
        event_id=mention.event_id,
        event_type=mention.event_type,
        start=mention.start,
        end=mention.end,
        location=mention.location,
        country_code=mention.country_code,
        location_precision=mention.location_precision,
        names=set(mention.names),
        countries=set(mention.countries),
        cluster_id=stable_id("event_cluster", mention.event_id),
        date_precision=precision,
        is_new=True,
        changed=True,
    )


_PRECISION_RANK = {"city": 0, "state": 1, "country": 2, "region": 3, None: 4}


def _absorb(cluster: _Cluster, mention: _Mention) -> None:
    """The cluster learns the names, countries and the most precise date and place."""
    cluster.names |= mention.names
    cluster.countries |= mention.countries
    if mention.start is not None and mention.end is not None:
        narrower = cluster.start is None or (mention.end - mention.start) < (
            cluster.end - cluster.start  # type: ignore[operator]
        )
        if narrower:
            cluster.start, cluster.end = mention.start, mention.end
            days = (mention.end - mention.start).days
            cluster.date_precision = {1: "day", 7: "week"}.get(
                days, "month" if days < 32 else "year"
            )
    rank = _PRECISION_RANK.get(mention.location_precision, 4)
    if mention.location and rank < _PRECISION_RANK.get(cluster.location_precision, 4):
        cluster.location = mention.location
        cluster.country_code = mention.country_code or cluster.country_code
        cluster.location_precision = mention.location_precision
    cluster.changed = True


def _store(
    con: duckdb.DuckDBPyConnection, clusters: list[_Cluster], assignments: list[tuple[str, str]]
) -> None:
    changed = [c for c in clusters if c.changed]
    rows = [
        {
            "cluster_id": c.cluster_id,
            "event_type": c.event_type,
            "event_date": c.start,
            "date_precision": c.date_precision,
            "location": c.location,
            "country_code": c.country_code,
            "location_precision": c.location_precision,
            "participants": sorted(c.names),
            "countries": sorted(c.countries),
            "first_event_id": c.event_id,
        }
        for c in changed
    ]
    if rows:
        schema = pa.schema(
            [
                ("cluster_id", pa.string()),
                ("event_type", pa.string()),
                ("event_date", pa.date32()),
                ("date_precision", pa.string()),
                ("location", pa.string()),
                ("country_code", pa.string()),
                ("location_precision", pa.string()),
                ("participants", pa.list_(pa.string())),
                ("countries", pa.list_(pa.string())),
                ("first_event_id", pa.string()),
            ]
        )
        _upsert_clusters(con, pa.Table.from_pylist(rows, schema=schema))
    if assignments:
        table = pa.table(
            {"event_id": [e for e, _ in assignments], "cluster_id": [c for _, c in assignments]}
        )
        con.register("cluster_assignments", table)
        try:
            con.execute(
                "UPDATE events SET cluster_id = a.cluster_id FROM cluster_assignments a"
                " WHERE events.event_id = a.event_id"
            )
        finally:
            con.unregister("cluster_assignments")


def _upsert_clusters(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    con.register("incoming_clusters", table)
    try:
        updates = ", ".join(f"{c} = s.{c}" for c in table.column_names[1:])
        con.execute(
            "MERGE INTO event_clusters"
            " USING (SELECT *, 0 AS mentions, 0 AS articles FROM incoming_clusters) s"
            f" USING (cluster_id) WHEN MATCHED THEN UPDATE SET {updates}"
            " WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    finally:
        con.unregister("incoming_clusters")


def _refresh_counts(con: duckdb.DuckDBPyConnection, clusters: Sequence[str]) -> None:
    """Mention and article counts of `clusters` from the events; those left with no event are
    dropped (their articles were replaced). Only these clusters are read, and only rows whose
    counts change are written: on a lake every written row is a rewrite, and writers that
    rewrite the same table conflict."""
    if not clusters:
        return
    con.register("touched_clusters", pa.table({"cluster_id": list(dict.fromkeys(clusters))}))
    try:
        con.execute(
            "DELETE FROM event_clusters WHERE cluster_id IN (SELECT cluster_id FROM"
            " touched_clusters) AND cluster_id NOT IN (SELECT cluster_id FROM events"
            " SEMI JOIN touched_clusters USING (cluster_id))"
        )
        con.execute(
            "UPDATE event_clusters SET mentions = c.mentions, articles = c.articles FROM"
            " (SELECT cluster_id, count(*) AS mentions, count(DISTINCT article_id) AS articles"
            "  FROM events SEMI JOIN touched_clusters USING (cluster_id) GROUP BY cluster_id) c"
            " WHERE event_clusters.cluster_id = c.cluster_id"
            " AND (event_clusters.mentions IS DISTINCT FROM c.mentions"
            " OR event_clusters.articles IS DISTINCT FROM c.articles)"
        )
    finally:
        con.unregister("touched_clusters")
