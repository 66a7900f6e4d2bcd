"""The model's lemmatizer, its answers remembered per (word, POS, morphology) over token arrays.

spaCy's rule lemmatizer already caches by that key, but reaches its cache through a Token object
and three attribute reads per word: 8 microseconds a token, 7% of a worker's spaCy time
(`bench/nlp_costs.py`). Here a Doc's words, POS and morphology are read as one array, looked up in
a dict, and the lemmas written back as one array; only a key not met before asks the lemmatizer.
Since the lemmatizer's own cache has the same key, every lemma is the one it gives
(tests/tasks/test_lemma_memo.py). A lemmatizer of another mode than "rule" or "lookup" may read
more of a token than that key, so `LemmaMemo` refuses it and the pipeline keeps it as it is.
"""

# No `from __future__ import annotations`: spaCy checks a factory's annotations with pydantic.
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

_MODES = ("rule", "lookup")  # each a function of (ORTH, POS, MORPH) alone


class UnsupportedLemmatizer(ValueError):
    """The lemmatizer's mode may read more of a token than its word, POS and morphology."""


class LemmaMemo:
    """Sets each token's lemma as `lemmatizer` does, asking it once per (word, POS, morphology)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        if lemmatizer.mode not in _MODES:
            raise UnsupportedLemmatizer(lemmatizer.mode)
        self.lemmatizer = lemmatizer
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = columns[:, 3].copy()
        keep_set = not self.lemmatizer.overwrite
        for i, (orth, pos, morph, lemma) in enumerate(columns.tolist()):
            if lemma and keep_set:
                continue  # set by the attribute rules, which the lemmatizer leaves too
            known = self.memo.get((orth, pos, morph))
            lemmas[i] = self._ask(doc, i, (orth, pos, morph)) if known is None else known
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def _ask(self, doc: Doc, i: int, key: tuple[int, int, int]) -> int:
        lemma = doc.vocab.strings.add(self.lemmatizer.lemmatize(doc[i])[0])
        self.memo[key] = lemma
        self.lemmatizer.cache.clear()  # the memo holds it now; one copy per word is enough
        return lemma


@Language.factory("newsflow_lemma_memo")
def make_lemma_memo(nlp: Language, name: str) -> LemmaMemo:
    """Built over the pipeline's own `lemmatizer`, whose place it then takes."""
    return LemmaMemo(nlp.get_pipe("lemmatizer"))
