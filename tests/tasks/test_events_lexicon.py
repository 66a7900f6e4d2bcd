"""The widened trigger lexicon: phrasal verbs, light verbs with event nouns, plain verbs, and
the event-noun object of a verb the lexicon does not know. Sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from bench._scoring import main_event
from schemas.records import EventRecord
from tasks.events import VERB_TRIGGERS, events_from_doc


def _main(nlp: Language, text: str) -> EventRecord:
    event = main_event(events_from_doc(nlp(text), date(2021, 5, 4)))
    assert event is not None, text
    return event


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        # phrasal verbs
        ("Sweden called on Russia to free the detained reporters.", "REQUEST"),
        ("Egyptian police rounded up dozens of activists in Cairo.", "COERCE"),
        ("Thousands of Chileans took to the streets of Santiago on Sunday.", "PROTEST"),
        ("Hamas militants fired rockets at Israeli towns.", "ASSAULT"),
        ("The Ukrainian minister stepped aside after the scandal.", "RETREAT"),
        ("The Brazilian president lashed out at Argentina over the tariffs.", "ACCUSE"),
        # light verbs with event nouns
        ("The Indian prime minister paid a visit to Nepal.", "CONSULT"),
        ("Russian forces launched an incursion into Georgia.", "ASSAULT"),
        ("Peru and Chile signed a memorandum on fishing rights.", "AGREE"),
        ("The Dutch government granted an amnesty to Moluccan rebels.", "CONCEDE"),
        ("The Iraqi court ordered the execution of the Kurdish activists.", "COERCE"),
        # plain verbs
        ("The Pakistani foreign minister hailed the Chinese investment plan.", "SUPPORT"),
        ("Venezuela spurned the Colombian offer of mediation.", "REJECT"),
        ("The Kenyan government unfroze the accounts of the Somali traders.", "CONCEDE"),
        ("Mali disbanded the militia that had fought in Gao.", "RETREAT"),
        ("The Nigerian army recruited thousands of volunteers near Maiduguri.", "MOBILIZE"),
        ("Norway lambasted Denmark for the decision.", "ACCUSE"),
    ],
)
def test_widened_lexicon_types_news_wording(nlp: Language, sentence: str, event_type: str) -> None:
    assert _main(nlp, sentence).event_type == event_type


def test_verb_with_an_event_noun_object_does_what_the_noun_names(nlp: Language) -> None:
    # "authorise" is no trigger and no light verb: its object, "airstrikes", is the event
    assert "authorize" not in VERB_TRIGGERS and "authorise" not in VERB_TRIGGERS
    event = _main(nlp, "Turkey authorised airstrikes on Kurdish militants in Iraq.")
    assert event.event_type == "ASSAULT"
    assert event.confidence <= 0.3  # a fallback, below every rule-coded event
    assert any(a.role == "actor" and a.country_code == "TUR" for a in event.actors)
