"""The views people query, on the bundled examples."""

from __future__ import annotations

from warehouse.query import run_sql


def rows(path, query: str) -> list[tuple]:
    return run_sql(path, query).rows


def test_latest_articles_lists_every_article_newest_first(examples_warehouse):
    found = rows(examples_warehouse, "SELECT published_at, title, claims FROM latest_articles")
    assert len(found) == rows(examples_warehouse, "SELECT count(*) FROM articles")[0][0]
    dates = [published for published, _, _ in found if published]
    assert dates == sorted(dates, reverse=True)
    assert any(claims > 0 for _, _, claims in found)


def test_claims_by_speaker_counts_match_the_claims_table(examples_warehouse):
    by_speaker = dict(rows(examples_warehouse, "SELECT speaker, claims FROM claims_by_speaker"))
    direct = dict(
        rows(
            examples_warehouse,
            "SELECT speaker, count(*) FROM claims WHERE speaker IS NOT NULL GROUP BY speaker",
        )
    )
    assert by_speaker == direct
    assert "NHK" in by_speaker


def test_events_timeline_has_participants_and_places(examples_warehouse):
    london = rows(
        examples_warehouse,
        "SELECT actors, countries FROM events_timeline"
        " WHERE event_type = 'CONSULT' AND location = 'London'",
    )
    assert london
    actors, countries = london[0]
    assert "Motegi" in actors and "Blinken" in actors
    assert {"JPN", "USA"} <= set(countries)


def _expected_pairs(path) -> dict[tuple[str, str, str], int]:
    """Pairs computed in Python from the raw tables: in each event mention actor → recipient, or
    actor ↔ actor when it has no recipient; counted by distinct real-world event (cluster)."""
    parties: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for event, real_event, event_type, role, name in rows(
        path,
        "SELECT e.event_id, coalesce(e.cluster_id, e.event_id), e.event_type, a.role, a.name"
        " FROM events e JOIN event_actors a USING (event_id)",
    ):
        parties.setdefault((event, real_event, event_type), []).append((role, name))
    seen: dict[tuple[str, str, str], set[str]] = {}
    for (_, real_event, event_type), members in parties.items():
        actors = [n for r, n in members if r == "actor"]
        recipients = [n for r, n in members if r == "recipient"]
        if recipients:
            pairs = [(a, r) for a in actors for r in recipients]
        else:
            pairs = [(a, b) for a in actors for b in actors if a < b]
        for actor, counterpart in pairs:
            seen.setdefault((actor, counterpart, event_type), set()).add(real_event)
    return {key: len(events) for key, events in seen.items()}


def test_actor_pairs_count_distinct_events_not_rows(examples_warehouse):
    view = {
        (actor, counterpart, event_type): events
        for actor, counterpart, event_type, events in rows(
            examples_warehouse, "SELECT actor, counterpart, event_type, events FROM actor_pairs"
        )
    }
    assert view
    assert view == _expected_pairs(examples_warehouse)


def test_source_health_reports_each_source(examples_warehouse):
    health = rows(
        examples_warehouse,
        "SELECT source, attempts, errors, error_rate, articles FROM source_health",
    )
    names = {row[0] for row in health}
    assert {"harbour-ledger-world", "example-documents"} <= names
    for _, attempts, errors, rate, _ in health:
        assert rate == round(errors / attempts, 3)
