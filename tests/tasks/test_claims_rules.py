"""The attribution rules added for issue 5, each on a sentence written for this test."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from schemas.records import ClaimRecord
from tasks.claims import claims_from_doc


def claims(nlp: Language, text: str) -> list[ClaimRecord]:
    return claims_from_doc(nlp(text))


def test_finding_of_a_survey_is_a_claim(nlp: Language) -> None:
    [claim] = claims(nlp, "The survey found that most voters distrust the council.")
    assert claim.content == "that most voters distrust the council"
    assert claim.source == "The survey"


def test_what_polls_show_is_a_claim(nlp: Language) -> None:
    [claim] = claims(nlp, "Recent polls show the senator with a narrow lead.")
    assert claim.content == "the senator with a narrow lead"
    assert claim.source == "Recent polls"


def test_parenthetical_cue_gives_the_clause_around_it(nlp: Language) -> None:
    [claim] = claims(nlp, "The bridge was a landmark, the mayor said, until it collapsed in 1999.")
    assert claim.content == "The bridge was a landmark, the mayor said, until it collapsed in 1999"
    assert claim.source == "the mayor"
    assert claim.cue == "said"


def test_parenthetical_cue_keeps_a_clause_the_parser_hangs_on_it(nlp: Language) -> None:
    [claim] = claims(nlp, "If this plan fails, the minister argues, there are other tools.")
    assert claim.content == "If this plan fails, the minister argues, there are other tools"
    assert claim.source == "the minister"


def test_connective_before_a_parenthetical_cue_is_not_content(nlp: Language) -> None:
    [claim] = claims(nlp, "However, the mayor said, the bridge will stay open.")
    assert claim.content == "the bridge will stay open"
    assert claim.source == "the mayor"


def test_dateline_is_not_content(nlp: Language) -> None:
    [claim] = claims(nlp, "WASHINGTON ― The plan is a mistake, the governor said.")
    assert claim.content == "The plan is a mistake"


def test_subject_of_an_adjective_controls_its_infinitive(nlp: Language) -> None:
    [claim] = claims(nlp, "The governor was able to boast about his budget.")
    assert claim.cue == "boast"
    assert claim.source == "The governor"


def test_passive_subject_controls_a_gerund_before_it(nlp: Language) -> None:
    [claim] = claims(nlp, "After saying that taxes would rise, the mayor was booed off the stage.")
    assert claim.content == "that taxes would rise"
    assert claim.source == "the mayor"


def test_gerund_inside_a_phrase_takes_the_clauses_subject(nlp: Language) -> None:
    [claim] = claims(nlp, "The union took the lead in opposing the merger.")
    assert claim.content == "the merger"
    assert claim.source == "The union"


def test_passive_participle_does_not_give_its_cue_the_main_subject(nlp: Language) -> None:
    found = claims(nlp, "Asked about the delay, the spokesman said the report would come out soon.")
    asked = [c for c in found if c.cue == "Asked"]
    said = [c for c in found if c.cue == "said"]
    assert [c.source for c in asked] == [None]  # whoever asked is not named
    assert [c.content for c in said] == ["the report would come out soon"]
    assert said[0].source == "the spokesman"


def test_cue_inside_a_quotation_is_part_of_the_quotation(nlp: Language) -> None:
    [claim] = claims(nlp, '"I think the vote will be close," the senator said.')
    assert claim.content == '"I think the vote will be close,"'
    assert claim.source == "the senator"


def test_partial_quotation_runs_on_to_the_end_of_its_clause(nlp: Language) -> None:
    [claim] = claims(nlp, "The senator said the bill was “a disgrace” and “a waste of money.”")
    assert claim.content.startswith("the bill was “a disgrace”")
    assert claim.content.rstrip(".”").endswith("a waste of money")


def test_partly_quoted_clause_interrupted_by_its_cue_is_one_content(nlp: Language) -> None:
    text = 'The summit achieved "too little," he said. "Europe must act now."'
    [claim] = claims(nlp, text)
    assert claim.content == text
    assert claim.source == "he"


def test_quotation_in_the_next_paragraph_is_not_joined(nlp: Language) -> None:
    found = claims(nlp, "“I love this town,” she said.\n\n“We will be back next year.”")
    assert [c.content for c in found if c.cue == "said"] == ["“I love this town,”"]


def test_quotation_signed_after_a_dash(nlp: Language) -> None:
    text = (
        "“The mayor has done nothing for this town. Nothing at all.” ― Maria Lopez\n"
        "“I like him.” — John Smith, a retired teacher"
    )
    first, second = claims(nlp, text)
    assert first.content == "“The mayor has done nothing for this town. Nothing at all.”"
    assert first.is_direct_quote
    assert (first.source, first.speaker) == ("Maria Lopez", "Maria Lopez")
    assert second.source == "John Smith, a retired teacher"
    assert second.speaker == "John Smith"


def test_trying_and_duties_are_not_attributions(nlp: Language) -> None:
    assert claims(nlp, "The driver tried to stop the car.") == []
    assert claims(nlp, "The bus was supposed to arrive at noon.") == []


def test_stance_adjective_gives_its_complement_to_the_subject(nlp: Language) -> None:
    [claim] = claims(nlp, "The senator has been critical of the plan.")
    assert (claim.content, claim.source, claim.cue) == ("the plan", "The senator", "critical")
    [claim] = claims(nlp, "Officials were confident that the deal would hold.")
    assert claim.content == "that the deal would hold"
    assert claim.source == "Officials"


def test_stance_noun_after_a_copula_takes_the_subject(nlp: Language) -> None:
    [claim] = claims(nlp, "She is a staunch opponent of the death penalty.")
    assert (claim.content, claim.source, claim.cue) == ("the death penalty", "She", "opponent")


def test_name_the_parser_hangs_on_a_cue_verb_is_its_source(nlp: Language) -> None:
    # the small model reads "Hernandez" as a compound of "charges", not as its subject
    [claim] = claims(nlp, "Hernandez charges that the firms donated millions to the fund.")
    assert claim.source == "Hernandez"


def test_subject_of_a_cue_verb_misread_as_a_noun_is_its_source(nlp: Language) -> None:
    # the parse the small model gives some sentences: "claims" a noun root with a subject
    words = ["But", "Smith", "claims", "that", "he", "should", "be", "the", "exception", "."]
    doc = Doc(
        nlp.vocab,
        words=words,
        spaces=[True] * 8 + [False, False],
        heads=[2, 2, 2, 6, 6, 6, 2, 8, 6, 2],
        deps=["cc", "nsubj", "ROOT", "mark", "nsubj", "aux", "ccomp", "det", "attr", "punct"],
        pos=["CCONJ", "PROPN", "NOUN", "SCONJ", "PRON", "AUX", "AUX", "DET", "NOUN", "PUNCT"],
        tags=["CC", "NNP", "NNS", "IN", "PRP", "MD", "VB", "DT", "NN", "."],
        lemmas=["but", "Smith", "claim", "that", "he", "should", "be", "the", "exception", "."],
        sent_starts=[True] + [False] * 9,
    )
    [claim] = claims_from_doc(doc)
    assert (claim.content, claim.source) == ("that he should be the exception", "Smith")


def test_threatened_with_a_noun_object_is_not_speech(nlp: Language) -> None:
    # "threaten" as "endanger": nobody asserted anything.
    assert claims(nlp, "The dam's slow collapse threatened the harvest across the valley.") == []


def test_threatened_with_a_clause_is_a_claim(nlp: Language) -> None:
    [claim] = claims(nlp, "The union threatened that its members would strike in June.")
    assert claim.source == "The union"
    assert "strike in June" in claim.content
