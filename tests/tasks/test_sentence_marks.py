"""The sentence marks set before the parse (`newsflow_paragraph_sentences`), over arrays, are
those of the rule read token by token, written out below as the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from tasks.nlp import _paragraph_sentences
from tests.tasks.test_attribute_table import corpus_texts

CONTINUES = np.iinfo(np.uint64).max  # -1 as a token array holds it
EDGES = [
    "",
    "One",
    "\n\nLeading blank lines. And two sentences.",
    'He said "Stop." Then he left.',
    'He said "Stop!") Then (see below.) Next.',
    "Gen. Mark Milley met Adm. John Aquilino in Hawaii last week…\nLONDON (AP) - Talks.",
    "A caption\n[Photo: NHK]\nThe body, it said, continued \"quoted.\"\n\n\n'Yes.' 'No.'",
    "Ends with a space . Then ' \" quotes after space .\n",
]


def reference_marks(doc: Doc) -> np.ndarray:
    """The rule, one token at a time: a line break starts a sentence; a word not after a full
    stop (closing quotation marks and brackets after it included) or whitespace does not."""

    def ends_sentence(index: int) -> bool:
        token = doc[index]
        if token.is_space:
            return True
        if token.text in (".", "!", "?", "…") or token.text.endswith("."):
            return True
        if (token.is_quote or token.text in (")", "]")) and index > 0:
            return ends_sentence(index - 1) and not doc[index - 1].is_space
        return False

    starts = doc.to_array(SENT_START)
    for token in doc[1:]:
        if token.is_space:
            continue
        if "\n" in doc[token.i - 1].text:
            starts[token.i] = 1
        elif not ends_sentence(token.i - 1):
            starts[token.i] = CONTINUES
    return starts


def assert_marks_are_the_rules(nlp: Language, texts: list[str]) -> None:
    docs = [nlp.make_doc(text) for text in texts]
    marked = [_paragraph_sentences(doc.copy()).to_array(SENT_START) for doc in docs]
    for doc, found in zip(docs, marked, strict=True):
        np.testing.assert_array_equal(found, reference_marks(doc.copy()), err_msg=doc.text[:80])
    for value in (1, 0, CONTINUES):  # each outcome of the rule occurs
        assert any((found == value).any() for found in marked)


def test_marks_on_edge_cases_are_the_rules(nlp: Language) -> None:
    assert_marks_are_the_rules(nlp, EDGES)


def test_marks_on_the_corpus_are_the_rules(nlp: Language, corpus: Path) -> None:
    assert_marks_are_the_rules(nlp, corpus_texts(corpus))
