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


# Attribution beyond speech: belief, intention and judgement, with noun-phrase and infinitive
# contents (PolNeAR counts these; the lexicon lives in tasks/cues.py).


def test_infinitive_content_of_intention_verb(nlp: Language) -> None:
    [claim] = claims(nlp, "The governor wants to double the size of the state police.")
    assert claim.content == "to double the size of the state police"
    assert claim.source == "The governor"
    assert claim.cue == "wants"


def test_noun_phrase_content_of_judgement_verb(nlp: Language) -> None:
    [claim] = claims(nlp, "The union criticized the new pension rules on Tuesday.")
    assert claim.content.startswith("the new pension rules")
    assert claim.source == "The union"


def test_called_x_a_y_keeps_object_and_predicate(nlp: Language) -> None:
    [claim] = claims(nlp, "The mayor called the proposal a disaster for small businesses.")
    assert claim.content == "the proposal a disaster for small businesses"


def test_passive_with_agent_gives_agent_as_source(nlp: Language) -> None:
    [claim] = claims(nlp, "The measure was endorsed by the chamber of commerce.")
    assert claim.content == "The measure"
    assert claim.source == "the chamber of commerce"


def test_prepositional_content(nlp: Language) -> None:
    [claim] = claims(nlp, "Local leaders called for an independent inquiry into the fire.")
    assert claim.content.startswith("an independent inquiry")
    assert claim.source == "Local leaders"


def test_time_after_preposition_is_not_content(nlp: Language) -> None:
    assert claims(nlp, "The senator spoke on Monday.") == []


def test_noun_cue_with_owner_as_source(nlp: Language) -> None:
    [claim] = claims(nlp, "Lopez's claim that the vote was rigged drew wide criticism.")
    assert claim.content == "that the vote was rigged"
    assert claim.source == "Lopez's"  # as written, the way PolNeAR marks owners
    assert claim.speaker == "Lopez"
    assert claim.cue == "claim"


def test_nested_attribution_is_part_of_outer_claim(nlp: Language) -> None:
    [claim] = claims(nlp, "The minister said that the farmers want to delay the reform.")
    assert claim.cue == "said"
    assert claim.content == "that the farmers want to delay the reform"


def test_quote_split_by_cue_is_one_content(nlp: Language) -> None:
    text = '"We are ready," the coach said. "The team has trained for months."'
    [claim] = claims(nlp, text)
    assert claim.is_direct_quote
    assert claim.content == text
    assert claim.source == "the coach"


def test_quote_running_over_paragraphs_is_one_content(nlp: Language) -> None:
    text = "She said: “We will win this fight.\n\n“We have the votes.”\n\nThe vote is on Friday."
    [claim] = claims(nlp, text)
    assert claim.content == "“We will win this fight.\n\n“We have the votes.”"


def test_relative_pronoun_source_resolves_to_its_antecedent(nlp: Language) -> None:
    text = "The plan was backed by Anna Berg, who said that it would cut costs."
    [claim] = [c for c in claims(nlp, text) if c.cue == "said"]
    assert claim.source == "who"
    assert claim.speaker == "Anna Berg"


def test_speaker_line_of_a_transcript(nlp: Language) -> None:
    [claim] = claims(nlp, "HOLT: The next question is about trade.\n")
    assert claim.source == "HOLT"
    assert claim.content == "The next question is about trade."


def test_doubled_apostrophes_are_quotation_marks() -> None:
    assert find_quotations("He said ''we won.'' Then") == [(8, 19)]


def test_so_called_is_not_a_cue(nlp: Language) -> None:
    assert claims(nlp, "The so-called reform plan stalled in committee.") == []


def test_gerund_after_preposition_takes_the_verbs_subject(nlp: Language) -> None:
    [claim] = claims(nlp, "The governor opened the debate by criticizing the new tax plan.")
    assert claim.cue == "criticizing"
    assert claim.content == "the new tax plan"
    assert claim.source == "The governor"


def test_noun_cue_without_owner_takes_the_governing_verbs_subject(nlp: Language) -> None:
    [claim] = claims(nlp, "The senator answered with sharp attacks on the energy bill.")
    assert claim.content == "the energy bill"
    assert claim.source == "The senator"


def test_judgement_keeps_its_grounds(nlp: Language) -> None:
    [claim] = claims(nlp, "The union blamed the airline for the long delays.")
    assert claim.content == "the airline for the long delays"
    assert claim.source == "The union"


def test_judged_object_drops_a_non_restrictive_relative_clause(nlp: Language) -> None:
    [claim] = claims(nlp, "The coach praised the goalkeeper, who joined the club in May.")
    assert claim.content == "the goalkeeper"


def test_partial_quotation_keeps_the_subject_before_it(nlp: Language) -> None:
    [claim] = claims(nlp, 'The mayor said the plan "will not cost taxpayers a single cent."')
    assert claim.content == 'the plan "will not cost taxpayers a single cent."'
    assert not claim.is_direct_quote
    assert claim.source == "The mayor"


def test_closed_quotation_before_a_colon_cue_is_not_its_content(nlp: Language) -> None:
    text = '"The count is over." In a statement, the party said: "We accept the result."'
    said = [c for c in claims(nlp, text) if c.cue == "said"]
    assert [c.content for c in said] == ['"We accept the result."']


def test_speaker_lines_of_a_quoted_transcript(nlp: Language) -> None:
    text = '"SMITH: We will win this race in November.\n\n"JONES: Voters will decide that.'
    found = {c.source: c.content for c in claims(nlp, text) if c.cue == ":"}
    assert found == {
        "SMITH": "We will win this race in November.",
        "JONES": "Voters will decide that.",
    }
