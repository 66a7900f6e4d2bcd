"""LemmaMemo sets the lemmas the model's lemmatizer sets, asking it once per word, POS and
morphology; a lemmatizer of another mode keeps its place in the pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.tokens import Doc
from threadpoolctl import threadpool_info

from tasks.lemma_memo import LemmaMemo, UnsupportedLemmatizer
from tasks.nlp import _lemmas_by_memo, english_model
from tests.tasks.test_attribute_table import corpus_texts


@pytest.fixture(scope="module")
def model() -> Language:
    return english_model()


def without_lemmas(nlp: Language, texts: list[str]) -> list[Doc]:
    """Docs annotated up to the lemmatizer, with every lemma cleared (the attribute rules set
    some), so that each token needs one."""
    with nlp.select_pipes(disable=["lemmatizer", "ner"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:
        doc.from_array([LEMMA], np.zeros((len(doc), 1), dtype="uint64"))
    return docs


def test_lemmas_are_the_lemmatizers_and_each_word_is_asked_once(
    corpus: Path, model: Language
) -> None:
    docs = without_lemmas(model, corpus_texts(corpus)[:40])
    lemmatizer = model.get_pipe("lemmatizer")
    expected = [lemmatizer(doc.copy()).to_array([LEMMA]) for doc in docs]
    memo = LemmaMemo(lemmatizer)
    asked: list[str] = []
    ask = lemmatizer.lemmatize
    lemmatizer.lemmatize = lambda token: asked.append(token.text) or ask(token)
    try:
        found = [memo(doc.copy()).to_array([LEMMA]) for doc in docs]
        again = [memo(doc.copy()).to_array([LEMMA]) for doc in docs[:5]]
    finally:
        lemmatizer.lemmatize = ask
    assert sum(len(doc) for doc in docs) > 20_000
    for want, got in zip(expected + expected[:5], found + again, strict=True):
        np.testing.assert_array_equal(got, want)
    assert len(asked) == len(memo.memo) < sum(len(doc) for doc in docs) / 4
    assert not lemmatizer.cache  # one copy of each answer, in the memo


def test_a_lemma_the_attribute_rules_set_is_kept(model: Language) -> None:
    with model.select_pipes(disable=["lemmatizer", "ner"]):
        doc = model("The talks ain't over.")
    doc[1].lemma_ = "negotiation"
    memo = LemmaMemo(model.get_pipe("lemmatizer"))
    assert [t.lemma_ for t in memo(doc)][:2] == ["the", "negotiation"]


def test_a_lemmatizer_of_another_mode_keeps_its_place() -> None:
    nlp = english_model()
    nlp.get_pipe("lemmatizer")._mode = "pos_lookup"  # a mode that may read more than the key
    with pytest.raises(UnsupportedLemmatizer, match="pos_lookup"):
        LemmaMemo(nlp.get_pipe("lemmatizer"))
    _lemmas_by_memo(nlp)
    assert "lemmatizer" in nlp.pipe_names
    assert "newsflow_lemma_memo" not in nlp.pipe_names


def test_the_pipeline_multiplies_through_numpy_on_one_blas_thread(nlp: Language) -> None:
    assert "newsflow_lemma_memo" in nlp.pipe_names and "lemmatizer" not in nlp.pipe_names
    for name in ("tok2vec", "parser", "ner"):
        assert nlp.get_pipe(name).model.ops.use_blis is False
    assert english_model().get_pipe("ner").model.ops.use_blis  # thinc's default, as packaged
    # numpy's own OpenBLAS (its wheel's numpy.libs), the one thinc's numpy ops call; scipy,
    # imported by other tests, brings a second one that spaCy does not use.
    blas = [pool for pool in threadpool_info() if "numpy" in pool["filepath"]]
    assert [pool["num_threads"] for pool in blas] == [1]
