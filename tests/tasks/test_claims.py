"""Claim rules on short sentences written for these tests, and the seed article's claims."""

from __future__ import annotations

import pytest
from spacy.language import Language

from schemas.records import ArticleRecord, ClaimRecord
from tasks.claims import claims_from_doc, find_quotations


def claims(nlp: Language, text: str) -> list[ClaimRecord]:
    return claims_from_doc(nlp(text))


def test_quote_before_cue(nlp: Language) -> None:
    [claim] = claims(nlp, '"We will not back down from this fight," the senator said on Monday.')
    assert claim.is_direct_quote
    assert claim.content == '"We will not back down from this fight,"'
    assert claim.source == "the senator"
    assert claim.cue == "said"


def test_quote_after_cue(nlp: Language) -> None:
    [claim] = claims(
        nlp, "Maria Lopez told reporters: “The budget is balanced and the deficit is gone.”"
    )
    assert claim.is_direct_quote
    assert claim.content.startswith("“The budget")
    assert claim.speaker == "Maria Lopez"
    assert claim.speaker_kind == "person"


def test_reported_speech_with_that(nlp: Language) -> None:
    [claim] = claims(nlp, "The ministry said that the new rules would take effect in March.")
    assert not claim.is_direct_quote
    assert claim.content == "that the new rules would take effect in March"
    assert claim.source == "The ministry"
    assert claim.speaker_kind == "government"


def test_according_to(nlp: Language) -> None:
    [claim] = claims(nlp, "The factory will close next year, according to the Daily Gazette.")
    assert claim.cue == "according to"
    assert claim.content == "The factory will close next year"
    assert claim.speaker == "Daily Gazette"
    assert claim.speaker_kind == "media"


def test_pronoun_source_resolves_to_latest_person(nlp: Language) -> None:
    text = (
        "Senator John Whitfield arrived in Ohio on Tuesday. "
        "He said that the plant would reopen within a month."
    )
    [claim] = claims(nlp, text)
    assert claim.source == "He"
    assert claim.speaker == "John Whitfield"


def test_short_name_resolves_to_full_name(nlp: Language) -> None:
    text = (
        "Gen. Mark Milley visited the base on Friday. "
        '"Our readiness has never been higher," Milley said.'
    )
    [claim] = claims(nlp, text)
    assert claim.speaker == "Mark Milley"


def test_scare_quotes_are_not_claims(nlp: Language) -> None:
    assert (
        claims(nlp, 'The so-called "peace plan" was published in a thin brochure last week.') == []
    )


def test_citing_gives_cited_source(nlp: Language) -> None:
    [claim] = claims(
        nlp,
        "Exports fell sharply, the broadcaster reported, citing the Trade Ministry's statement.",
    )
    assert claim.cited_source == "Trade Ministry"


def test_find_quotations_pairs_mixed_marks() -> None:
    text = '“A b," he said. And "c d.” End'
    assert find_quotations(text) == [(0, 6), (20, 26)]


def test_every_claim_offset_points_at_its_text(seed_record: ArticleRecord) -> None:
    text = seed_record.text
    for claim in seed_record.claims:
        assert text[claim.content_start : claim.content_end] == claim.content
        if claim.source is not None:
            assert text[claim.source_start : claim.source_end] == claim.source


def test_seed_nhk_claim(seed_record: ArticleRecord) -> None:
    nhk = [c for c in seed_record.claims if c.speaker == "NHK"]
    assert nhk, seed_record.claims
    assert nhk[0].is_direct_quote
    assert nhk[0].source == "the NHK"
    assert nhk[0].cited_source == "Japanese Foreign Ministry"
    assert "Motegi and Blinken discussed China" in nhk[0].content


def test_seed_defense_department_claim(seed_record: ArticleRecord) -> None:
    [claim] = [c for c in seed_record.claims if c.source == "the US Department of Defence"]
    assert claim.is_direct_quote
    assert claim.content.startswith('"The three parties shared their concerns')


@pytest.mark.parametrize(
    ("cue", "speaker", "cited"),
    [
        ("according to", "Kyodo News", None),
        ("quoted", "Kyodo News", "sources familiar with the development"),
    ],
)
def test_seed_kyodo_claims(
    seed_record: ArticleRecord, cue: str, speaker: str, cited: str | None
) -> None:
    [claim] = [c for c in seed_record.claims if c.cue == cue]
    assert claim.speaker == speaker
    assert claim.cited_source == cited


def test_seed_it_added_resolves_to_defense_department(seed_record: ArticleRecord) -> None:
    [claim] = [c for c in seed_record.claims if c.cue == "added"]
    assert claim.speaker == "US Department of Defence"
    assert not claim.is_direct_quote


def test_captions_produce_no_claims(seed_record: ArticleRecord) -> None:
    for caption in seed_record.captions:
        start = seed_record.text.index(caption)
        end = start + len(caption)
        assert all(c.content_end <= start or c.content_start >= end for c in seed_record.claims)
