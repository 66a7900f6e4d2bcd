"""Event rules on short sentences written for these tests, dates, places, and the seed article."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from schemas.records import PLOVER_TYPES, ArticleRecord, EventRecord
from tasks.dates import resolve_date
from tasks.events import NOUN_TRIGGERS, VERB_TRIGGERS, events_from_doc
from tasks.places import country_code, place_country_code

PUBLISHED = date(2021, 5, 4)  # a Tuesday


def events(nlp: Language, text: str) -> list[EventRecord]:
    return events_from_doc(nlp(text), PUBLISHED)


@pytest.mark.parametrize(
    ("phrase", "expected", "precision"),
    [
        ("last week", "2021-04-26", "week"),
        ("last month", "2021-04-01", "month"),
        ("on Tuesday", "2021-05-04", "day"),
        ("Monday", "2021-05-03", "day"),
        ("yesterday", "2021-05-03", "day"),
        ("April 28", "2021-04-28", "day"),
        ("2019", "2019-01-01", "year"),
    ],
)
def test_dates_resolve_against_publication(phrase: str, expected: str, precision: str) -> None:
    resolved = resolve_date(phrase, PUBLISHED)
    assert resolved is not None
    assert (resolved.date, resolved.precision) == (expected, precision)


def test_durations_are_not_dates() -> None:
    assert resolve_date("two years", PUBLISHED) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Japanese", "JPN"),
        ("South Korean", "KOR"),
        ("U.S.", "USA"),
        ("US", "USA"),
        ("Syrian", "SYR"),
        ("Pakistani", "PAK"),
        ("American", "USA"),
        ("the United Kingdom", "GBR"),
        ("Canadian", "CAN"),
    ],
)
def test_country_names_codes_and_demonyms(name: str, code: str) -> None:
    assert country_code(name) == code


def test_pronoun_us_is_not_a_country() -> None:
    assert country_code("us") is None


@pytest.mark.parametrize(
    ("place", "code"), [("London", "GBR"), ("Hawaii", "USA"), ("Tokyo", "JPN")]
)
def test_places_resolve_to_countries(place: str, code: str) -> None:
    assert place_country_code(place) == code


def test_lexicons_only_use_plover_types() -> None:
    assert set(VERB_TRIGGERS.values()) | set(NOUN_TRIGGERS.values()) <= set(PLOVER_TYPES)


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("Iran accused Israel of sabotage at its nuclear site.", "ACCUSE"),
        ("Rebels attacked a police station in the north on Sunday.", "ASSAULT"),
        ("The European Union imposed sanctions on Belarus.", "SANCTION"),
        ("Protesters demonstrated outside parliament.", "PROTEST"),
        ("Police arrested three opposition leaders.", "COERCE"),
        ("The opposition called for early elections.", "REQUEST"),
        ("Russia rejected the proposal.", "REJECT"),
        ("The two countries signed an agreement on fishing rights.", "AGREE"),
        ("Turkey deployed troops to the border.", "MOBILIZE"),
    ],
)
def test_event_type_of_trigger(nlp: Language, sentence: str, event_type: str) -> None:
    types = {event.event_type for event in events(nlp, sentence)}
    assert event_type in types


def test_negated_event_is_dropped(nlp: Language) -> None:
    assert [
        e for e in events(nlp, "Russia did not attack the convoy.") if e.event_type == "ASSAULT"
    ] == []


def test_actors_recipients_and_countries(nlp: Language) -> None:
    [event] = events(
        nlp, "Chinese President Xi Jinping criticized the Australian government on Monday."
    )
    assert event.event_type == "ACCUSE"
    actors = {(a.role, a.country_code) for a in event.actors}
    assert ("actor", "CHN") in actors
    assert ("recipient", "AUS") in actors
    assert event.date == "2021-05-03"


def test_reciprocal_meeting_makes_everyone_an_actor(nlp: Language) -> None:
    [event] = events(
        nlp, "The French foreign minister met with his German counterpart in Berlin on Tuesday."
    )
    assert event.event_type == "CONSULT"
    assert {a.role for a in event.actors} == {"actor"}
    assert {a.country_code for a in event.actors} == {"FRA", "DEU"}
    assert (event.location, event.country_code) == ("Berlin", "DEU")


def _consults(record: ArticleRecord) -> list[EventRecord]:
    return [e for e in record.events if e.event_type == "CONSULT"]


def _codes(event: EventRecord) -> dict[str, str | None]:
    return {a.name: a.country_code for a in event.actors if a.role == "actor"}


def test_seed_london_talks(seed_record: ArticleRecord) -> None:
    london = [e for e in _consults(seed_record) if e.location == "London"]
    assert london
    event = london[0]
    assert event.country_code == "GBR"
    assert _codes(event) == {"Toshimitsu Motegi": "JPN", "Antony Blinken": "USA"}
    assert event.date is not None and "2021-04-27" <= event.date <= "2021-05-04"


def test_seed_trilateral_meeting_in_hawaii(seed_record: ArticleRecord) -> None:
    trilateral = [
        e
        for e in _consults(seed_record)
        if {"Mark Milley", "Koji Yamazaki", "Won In-Choul"} <= set(_codes(e))
    ]
    assert trilateral
    event = trilateral[0]
    assert _codes(event) == {"Mark Milley": "USA", "Koji Yamazaki": "JPN", "Won In-Choul": "KOR"}
    assert (event.location, event.country_code) == ("Hawaii", "USA")
    assert (event.date, event.date_precision) == ("2021-04-26", "week")


def test_seed_two_plus_two_last_month(seed_record: ArticleRecord) -> None:
    [event] = [e for e in _consults(seed_record) if "2+2" in e.trigger]
    assert (event.date, event.date_precision) == ("2021-04-01", "month")


def test_seed_agreement_to_oppose(seed_record: ArticleRecord) -> None:
    agreements = [
        e
        for e in seed_record.events
        if e.event_type == "AGREE" and "agreed to oppose" in e.sentence
    ]
    assert agreements
    assert {"Toshimitsu Motegi", "Antony Blinken"} <= {a.name for a in agreements[0].actors}


def test_seed_event_offsets_and_ranges(seed_record: ArticleRecord) -> None:
    text = seed_record.text
    for event in seed_record.events:
        assert text[event.trigger_start : event.trigger_end] == event.trigger
        assert (
            text[event.sentence_start : event.sentence_start + len(event.sentence)]
            == event.sentence
        )
        assert event.event_type in PLOVER_TYPES
        assert 0.0 <= event.confidence <= 1.0
        for caption in seed_record.captions:
            assert caption not in event.sentence
