"""Who the actors and recipients of an event are, and their countries: one sentence per rule,
written for these tests."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from bench._scoring import main_event
from schemas.records import EventRecord
from tasks.event_countries import sentence_countries
from tasks.events import events_from_doc
from tasks.organisations import home_country, is_international
from tasks.places import country_code, geocode


def _main(nlp: Language, text: str) -> EventRecord:
    event = main_event(events_from_doc(nlp(text), date(2021, 5, 4)))
    assert event is not None
    return event


def _roles(event: EventRecord) -> set[tuple[str, str]]:
    return {(a.role, a.country_code) for a in event.actors if a.country_code}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("southern Lebanon", "LBN"),
        ("north-eastern Nigeria", "NGA"),
        ("South Korean", "KOR"),
        ("South Sudan", "SSD"),
        ("Northern Ireland", "GBR"),
        ("Macedonian", "MKD"),
        ("Kyrgyz", "KGZ"),
        ("the Emirates", "ARE"),
        ("Panamanian", "PAN"),
    ],
)
def test_parts_short_names_and_demonyms_of_countries(name: str, code: str) -> None:
    assert country_code(name) == code


def test_part_of_a_city_is_geocoded_to_the_city() -> None:
    place = geocode("western Nairobi")
    assert place is not None
    assert (place.country_code, place.precision) == ("KEN", "city")


def test_well_known_organisations() -> None:
    assert home_country("Hezbollah fighters") == "LBN"
    assert home_country("the Taliban") == "AFG"
    assert is_international("the UN envoy")
    assert is_international("NATO ministers")
    assert not is_international("who")  # the word, not the WHO


def test_pronoun_of_a_reported_clause_is_the_speaker(nlp: Language) -> None:
    event = _main(nlp, "Norway says it is willing to withdraw its soldiers from Mali.")
    assert event.event_type == "AGREE"
    assert _roles(event) == {("actor", "NOR"), ("recipient", "MLI")}


def test_their_forces_belong_to_the_speaker(nlp: Language) -> None:
    event = _main(nlp, "Ethiopian officials said their troops had withdrawn from the town.")
    assert ("actor", "ETH") in _roles(event)


def test_leader_named_without_country_leads_the_one_country_named(nlp: Language) -> None:
    event = _main(nlp, "President Joao Mendes banned Angolan opposition rallies on Monday.")
    assert _roles(event) == {("actor", "AGO"), ("recipient", "AGO")}


def test_rejected_call_answers_the_caller(nlp: Language) -> None:
    event = _main(nlp, "Ghana rejected a peace offer from Togo on Friday.")
    assert _roles(event) == {("actor", "GHA"), ("recipient", "TGO")}


def test_international_target_is_not_replaced_by_a_country(nlp: Language) -> None:
    event = _main(nlp, "Kenya rejected calls by the UN envoy to reopen the border.")
    assert _roles(event) == {("actor", "KEN")}
    assert any(a.role == "recipient" and a.sector == "international" for a in event.actors)


def test_ethnic_group_belongs_to_the_country_it_lives_in(nlp: Language) -> None:
    event = _main(nlp, "The Kurds of northern Iraq demanded more oil revenue from Baghdad.")
    assert ("actor", "IRQ") in _roles(event)
    attacked = _main(nlp, "Government troops attacked ethnic Uzbeks in southern Kyrgyzstan.")
    assert ("recipient", "UZB") not in _roles(attacked)
    assert ("recipient", "KGZ") in _roles(attacked)


def test_stance_and_money_name_no_party(nlp: Language) -> None:
    shot = _main(nlp, "Gunmen shot an anti-Turkey journalist in Beirut on Sunday.")
    assert ("recipient", "TUR") not in _roles(shot)
    accused = _main(nlp, "Judges accused the governor of taking US $3 million in bribes.")
    assert ("recipient", "USA") not in _roles(accused)


def test_attribution_and_circumstances_are_not_targets(nlp: Language) -> None:
    shelled = _main(nlp, "Rebels shelled a village in northern Mali, Algerian officials said.")
    assert ("recipient", "MLI") in _roles(shelled)
    assert ("recipient", "DZA") not in _roles(shelled)
    refused = _main(nlp, "Jordan will not accept more refugees if fighting spreads to Syria.")
    assert ("recipient", "SYR") not in _roles(refused)


def test_patient_of_an_event_noun(nlp: Language) -> None:
    event = _main(nlp, "The alliance tightened its blockade of Libya on Sunday.")
    assert ("recipient", "LBY") in _roles(event)


def test_doers_behind_a_condemned_act(nlp: Language) -> None:
    event = _main(nlp, "Sweden condemned the killings by Burmese soldiers.")
    assert _roles(event) == {("actor", "SWE"), ("recipient", "MMR")}


def test_part_of_a_group_stands_for_the_group(nlp: Language) -> None:
    event = _main(nlp, "Coast guards detained dozens of Somali fishermen.")
    assert ("recipient", "SOM") in _roles(event)


def test_city_in_an_organisation_name_gives_its_country(nlp: Language) -> None:
    event = _main(nlp, "Two charities donated medicine to Nairobi University Hospital.")
    assert ("recipient", "KEN") in _roles(event)


def test_one_sided_agreement_has_a_target(nlp: Language) -> None:
    event = _main(nlp, "The Greek parliament agreed to extend the monitoring mission in Cyprus.")
    assert ("recipient", "CYP") in _roles(event)


def test_offer_to_negotiate_is_made_to_the_other_side(nlp: Language) -> None:
    event = _main(nlp, "Chile offered to negotiate with Bolivia over the river.")
    assert event.event_type == "AGREE"
    assert _roles(event) == {("actor", "CHL"), ("recipient", "BOL")}


def test_mediation_between_two_parties(nlp: Language) -> None:
    event = _main(nlp, "Oman mediated between Iran and Saudi Arabia last week.")
    assert _roles(event) == {("actor", "OMN"), ("recipient", "IRN"), ("recipient", "SAU")}


def test_a_threat_is_aimed_at_whoever_its_condition_names(nlp: Language) -> None:
    event = _main(nlp, "Iran threatened to close the strait if France sends warships to the Gulf.")
    assert event.event_type == "THREATEN"
    assert ("recipient", "FRA") in _roles(event)


def test_a_border_named_by_a_country_is_a_place_not_a_party(nlp: Language) -> None:
    event = _main(nlp, "Burmese troops captured a rebel base on the Thai border on Monday.")
    assert ("actor", "MMR") in _roles(event)
    assert ("recipient", "THA") not in _roles(event)


def test_travelling_for_talks_is_a_meeting(nlp: Language) -> None:
    event = _main(nlp, "Ukrainian and Turkish diplomats flew to Istanbul for talks on Monday.")
    assert event.event_type == "CONSULT"
    assert {("actor", "UKR"), ("actor", "TUR")} <= _roles(event)


def test_phrasal_trigger_through_its_preposition(nlp: Language) -> None:
    event = _main(nlp, "Indian troops remained on alert along the Pakistani frontier.")
    assert event.event_type == "MOBILIZE"
    assert ("actor", "IND") in _roles(event)


def test_seas_named_after_a_country_name_no_party(nlp: Language) -> None:
    doc = nlp("Both navies agreed to patrol the East China and South China seas together.")
    assert "CHN" not in {code for _, code in sentence_countries(doc[:])}


# ---- meetings: who was there, where, and what a meeting's place says of its parties ----------


def _countries(event: EventRecord) -> dict[str, str | None]:
    return {a.name: a.country_code for a in event.actors}


def test_those_present_at_a_meeting_take_part_and_their_whereabouts_are_its_place(
    nlp: Language,
) -> None:
    event = _main(
        nlp,
        "Russian Foreign Minister Pavel Orlov held talks with Chinese Foreign Minister Li Wen in "
        "the presence of Trade Minister Sato, and Commerce Secretary Reed in Canada last week.",
    )
    assert event.event_type == "CONSULT"
    assert _countries(event) == {"Pavel Orlov": "RUS", "Li Wen": "CHN", "Sato": None, "Reed": None}
    assert (event.location, event.country_code, event.location_precision) == (
        "Canada",
        "CAN",
        "country",
    )
    assert (event.date, event.date_precision) == ("2021-04-26", "week")


def test_where_a_meeting_was_held_gives_no_party_its_country(nlp: Language) -> None:
    event = _main(nlp, "Defense Secretary Lloyd Grant met Admiral Ken Tanaka in Japan last month.")
    assert _countries(event) == {"Lloyd Grant": None, "Ken Tanaka": None}
    assert (event.location, event.country_code, event.location_precision) == (
        "Japan",
        "JPN",
        "country",
    )
    assert (event.date, event.date_precision) == ("2021-04-01", "month")


def test_another_partys_country_is_not_a_meeting_partners(nlp: Language) -> None:
    event = _main(nlp, "Trade Minister Sato held talks with US envoy John Smith.")
    assert _countries(event) == {"Sato": None, "John Smith": "USA"}


def test_group_references_count_their_members(nlp: Language) -> None:
    text = (
        "Taro Sato of Japan and Anna Berg of Sweden met in Oslo on Monday. "
        "On Tuesday, Sato and Berg held talks with US envoy John Smith in Tokyo. "
        "The three parties agreed to expand cooperation. "
        "The two signed a fisheries accord. "
        "The two nations agreed to share weather data."
    )
    found = events_from_doc(nlp(text), date(2021, 5, 4))
    three, two, nations = (
        next(e for e in found if needle in e.sentence)
        for needle in ("three parties", "The two signed", "two nations")
    )
    assert set(_countries(three)) == {"Taro Sato", "Anna Berg", "John Smith"}
    assert _countries(two) == {"Taro Sato": "JPN", "Anna Berg": "SWE"}
    assert _countries(nations) == {"Japan": "JPN", "Sweden": "SWE"}


def test_a_threat_at_sea_has_no_target_at_home(nlp: Language) -> None:
    event = _main(nlp, "Chinese warships threatened shipping in the South China Sea.")
    assert event.event_type == "THREATEN"
    assert _roles(event) == {("actor", "CHN")}


@pytest.mark.parametrize(
    "text",
    [
        "The ministers discussed lifting sanctions on Iran.",
        "Envoys met in Geneva to negotiate the border and releasing prisoners.",
        "Officials held talks on easing the blockade of Gaza.",
    ],
)
def test_what_was_talked_about_was_not_done(nlp: Language, text: str) -> None:
    found = events_from_doc(nlp(text), date(2021, 5, 4))
    assert [e.event_type for e in found] == ["CONSULT"]
