"""Clustering events across articles: two reports of one meeting are one event, another is not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from schemas.records import ArticleRecord, EventActor, EventRecord
from warehouse.db import connect
from warehouse.event_clusters import period_end
from warehouse.load import load_batch

FETCHED = datetime(2021, 5, 5, tzinfo=UTC)


def _meeting(
    trigger: str,
    day: str,
    precision: str,
    actors: list[tuple[str, str]],
    *,
    location: str | None = "London",
    country: str | None = "GBR",
    place_precision: str | None = "city",
    event_type: str = "CONSULT",
    status: str = "happened",
    start: int = 0,
) -> EventRecord:
    return EventRecord(
        event_type=event_type,
        trigger=trigger,
        trigger_start=start,
        trigger_end=start + len(trigger),
        date=day,
        date_precision=precision,
        location=location,
        country_code=country,
        location_precision=place_precision,
        confidence=0.8,
        status=status,
        actors=tuple(EventActor(name=n, role="actor", country_code=c) for n, c in actors),
        sentence=trigger,
        sentence_start=start,
    )


def _article(url: str, *events: EventRecord) -> ArticleRecord:
    return ArticleRecord(
        url=url, text=" ".join(e.sentence for e in events), events=events, fetched_at=FETCHED
    )


MOTEGI_BLINKEN = [("Toshimitsu Motegi", "JPN"), ("Antony Blinken", "USA")]


def _clusters(path: Path) -> list[tuple]:
    with connect(path, read_only=True) as con:
        return con.execute(
            "SELECT event_type, event_date::VARCHAR, date_precision, location, mentions, articles"
            " FROM event_clusters ORDER BY event_date, location"
        ).fetchall()


def test_two_reports_of_one_meeting_are_one_event(warehouse_path: Path) -> None:
    first = _article(
        "https://example.org/a",
        _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN),
    )
    # The second paper dates it only to the week and names the ministers differently.
    second = _article(
        "https://example.org/b",
        _meeting(
            "held talks",
            "2021-05-03",
            "week",
            [("Japanese Foreign Minister", "JPN"), ("Blinken", "USA")],
        ),
    )
    other = _article(
        "https://example.org/c",
        _meeting(
            "met",
            "2021-05-03",
            "day",
            [("Toshimitsu Motegi", "JPN"), ("Wang Yi", "CHN")],
            location="Beijing",
            country="CHN",
        ),
    )
    load_batch(warehouse_path, [first])
    load_batch(warehouse_path, [second, other])
    assert _clusters(warehouse_path) == [
        ("CONSULT", "2021-05-03", "day", "Beijing", 1, 1),
        ("CONSULT", "2021-05-03", "day", "London", 2, 2),
    ]
    with connect(warehouse_path, read_only=True) as con:
        (articles,) = con.execute(
            "SELECT count(DISTINCT article_id) FROM event_mentions m JOIN event_clusters c"
            " USING (cluster_id) WHERE c.location = 'London'"
        ).fetchone()
    assert articles == 2


def test_same_people_in_another_city_or_month_are_other_events(warehouse_path: Path) -> None:
    london = _article("https://example.org/a", _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN))
    paris = _article(
        "https://example.org/b",
        _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN, location="Paris", country="FRA"),
    )
    later = _article("https://example.org/c", _meeting("met", "2021-06-10", "day", MOTEGI_BLINKEN))
    load_batch(warehouse_path, [london, paris, later])
    assert [row[4] for row in _clusters(warehouse_path)] == [1, 1, 1]


def test_reports_naming_no_participant_stay_apart_and_others_still_cluster(
    warehouse_path: Path,
) -> None:
    # Nothing says the two unnamed meetings are one; the named ones, loaded in later batches
    # (when the unnamed clusters are already stored), still find each other.
    unnamed = [_meeting("met", "2021-05-03", "day", []) for _ in range(2)]
    load_batch(
        warehouse_path, [_article(f"https://example.org/u{i}", e) for i, e in enumerate(unnamed)]
    )
    for url in ("https://example.org/a", "https://example.org/b"):
        load_batch(
            warehouse_path, [_article(url, _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN))]
        )
    assert sorted(row[4] for row in _clusters(warehouse_path)) == [1, 1, 2]


def test_attacker_and_target_are_not_interchangeable(warehouse_path: Path) -> None:
    def attack(url: str, actor: str, target: str) -> ArticleRecord:
        event = EventRecord(
            event_type="ASSAULT",
            trigger="attacked",
            trigger_start=0,
            trigger_end=8,
            date="2021-05-03",
            date_precision="day",
            confidence=0.8,
            actors=(
                EventActor(name=actor, role="actor", country_code=actor[:3].upper()),
                EventActor(name=target, role="recipient", country_code=target[:3].upper()),
            ),
            sentence="attacked",
        )
        return _article(url, event)

    load_batch(
        warehouse_path,
        [
            attack("https://example.org/a", "Isr", "Pse"),
            attack("https://example.org/b", "Pse", "Isr"),
        ],
    )
    assert len(_clusters(warehouse_path)) == 2


def test_negated_events_join_no_cluster(warehouse_path: Path) -> None:
    refused = _meeting("refused to meet", "2021-05-03", "day", MOTEGI_BLINKEN, status="negated")
    load_batch(warehouse_path, [_article("https://example.org/a", refused)])
    assert _clusters(warehouse_path) == []


def test_reloading_a_changed_article_leaves_no_stale_cluster(warehouse_path: Path) -> None:
    url = "https://example.org/a"
    load_batch(
        warehouse_path, [_article(url, _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN))]
    )
    moved = _meeting("met", "2021-05-03", "day", MOTEGI_BLINKEN, location="Paris", country="FRA")
    load_batch(warehouse_path, [_article(url, moved)], extractor_version="2")
    assert [(row[3], row[4]) for row in _clusters(warehouse_path)] == [("Paris", 1)]


def test_extracted_reports_of_one_meeting_cluster(warehouse_path: Path) -> None:
    """Two articles written for this test, through the real extractor and loader."""
    from schemas.records import ParsedArticle
    from tasks.extract import extract_articles

    texts = {
        "https://example.org/one": "Japanese Foreign Minister Toshimitsu Motegi met US Secretary "
        "of State Antony Blinken in London on Monday.",
        "https://example.org/two": "US Secretary of State Antony Blinken held talks with Japanese "
        "Foreign Minister Toshimitsu Motegi in London this week.",
        "https://example.org/three": "Japanese Foreign Minister Toshimitsu Motegi met Chinese "
        "Foreign Minister Wang Yi in Beijing on Monday.",
    }
    parsed = [ParsedArticle(url=u, text=t, published="2021-05-04") for u, t in texts.items()]
    load_batch(warehouse_path, extract_articles(parsed))
    with connect(warehouse_path, read_only=True) as con:
        rows = con.execute(
            "SELECT location, mentions, articles FROM event_clusters"
            " WHERE event_type = 'CONSULT' ORDER BY location"
        ).fetchall()
    assert rows == [("Beijing", 1, 1), ("London", 2, 2)]


@pytest.mark.parametrize(
    ("start", "precision", "end"),
    [
        ("2021-05-03", "day", "2021-05-04"),
        ("2021-04-26", "week", "2021-05-03"),
        ("2021-12-01", "month", "2022-01-01"),
        ("2021-01-01", "year", "2022-01-01"),
    ],
)
def test_period_end(start: str, precision: str, end: str) -> None:
    from datetime import date

    assert period_end(date.fromisoformat(start), precision) == date.fromisoformat(end)


def test_migration_adds_event_columns(warehouse_path: Path) -> None:
    with connect(warehouse_path) as con:
        columns = {row[0] for row in con.execute("DESCRIBE events").fetchall()}
        assert {"mode", "status", "contexts", "latitude", "cluster_id"} <= columns
        assert isinstance(con, duckdb.DuckDBPyConnection)
