"""AttributeTable leaves every token as spaCy's AttributeRuler does, on real text and on rules of
every shape it takes; a rule of another shape leaves the pipeline its ruler."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler

from tasks.attribute_table import AttributeTable, UnsupportedRule
from tasks.nlp import _attribute_rules_by_table, english_model, load_nlp

ANNOTATIONS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START]


@pytest.fixture(scope="module")
def with_ruler() -> Language:
    nlp = english_model()
    nlp.add_pipe("newsflow_paragraph_sentences", before="parser")
    return nlp


def differing_tokens(a: Language, b: Language, texts: list[str], **pipe_options) -> int:
    arrays = [
        [doc.to_array(ANNOTATIONS) for doc in nlp.pipe(texts, **pipe_options)] for nlp in (a, b)
    ]
    return sum(int((x != y).any(axis=1).sum()) for x, y in zip(*arrays, strict=True))


def corpus_texts(corpus: Path) -> list[str]:
    texts = [path.read_text() for path in sorted((corpus / "polnear-dev" / "text").glob("*.txt"))]
    with (corpus / "plover-dev" / "plover-gsr-dev.jsonl").open() as lines:
        texts += [json.loads(line)["text"] for line in lines]
    return [*texts, (corpus / "seed-article.txt").read_text()]


def test_the_pipeline_applies_the_rules_by_table(nlp: Language) -> None:
    assert "newsflow_attribute_table" in nlp.pipe_names
    assert "attribute_ruler" not in nlp.pipe_names


@pytest.mark.parametrize("disable", [[], ["parser", "ner"]], ids=["all", "no parse"])
def test_real_text_comes_out_as_the_ruler_leaves_it(
    corpus: Path, with_ruler: Language, disable: list[str]
) -> None:
    """84 PolNeAR articles, 179 PLOVER sentences and the seed: about 70,000 tokens. Without the
    parser (as tasks/event_model.py runs it), the rules that test a dependency see none. The
    packaged model also keeps its lemmatizer and multiplies through blis, where ours remembers
    lemmas (tasks/lemma_memo.py) and multiplies through numpy: the tokens come out the same."""
    texts = corpus_texts(corpus)
    ours = load_nlp()
    assert sum(len(doc) for doc in ours.pipe(texts, disable=["parser", "ner"])) > 50_000
    assert differing_tokens(with_ruler, ours, texts, disable=disable) == 0
    # One memo entry per tag, and per tag of each word a rule names, not per word met.
    table = ours.get_pipe("newsflow_attribute_table")
    words = len({t.lower for doc in ours.pipe(texts[:20], disable=["parser", "ner"]) for t in doc})
    assert len(table.memo) < min(words, 1_000)


# Rules of each shape the table takes, written for these texts: equality, membership, exclusion,
# a regular expression, whitespace, a dependency, two tokens, a negative index, and a later rule
# overriding an earlier one on the same token (both "ain't" rules; "they", a subject).
RULES = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "PROPN"}},
    {"patterns": [[{"LOWER": "talks", "TAG": "NNS"}]], "attrs": {"LEMMA": "negotiation"}},
    {"patterns": [[{"LOWER": {"IN": ["ca", "wo"]}}]], "attrs": {"LEMMA": "modal"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["DT", "IN", ""]}, "DEP": "nsubj"}]], "attrs": {"POS": "X"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n'?t$"}}]], "attrs": {"MORPH": "Polarity=Neg"}},
    {"patterns": [[{"LOWER": "ai"}, {"LOWER": {"REGEX": "^n'?t$"}}]], "attrs": {"LEMMA": "be"}},
    {"patterns": [[{"LOWER": "ai"}, {"LOWER": "n't"}]], "attrs": {"LEMMA": "am"}, "index": 0},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": -1},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE", "MORPH": "_"}},
    {"patterns": [[{"LOWER": "the"}], [{"LOWER": "a"}]], "attrs": {"POS": "DET", "LEMMA": "art"}},
    {"patterns": [[{"TAG": "DT"}]], "attrs": {"LEMMA": "determiner"}},
    {"patterns": [[{"LOWER": "they"}]], "attrs": {"POS": "PRON"}},  # after the nsubj rule
]
TEXTS = [
    "The talks ain't gonna end, and they won't.\n\nA delegate can't say so.",
    "Ministers said the talks in London were gonna resume; it ain't over.",
    "",
    "  \n",
]


def test_rules_of_every_shape_apply_as_the_ruler_applies_them(with_ruler: Language) -> None:
    ruler = AttributeRuler(with_ruler.vocab)
    ruler.add_patterns(RULES)
    table = AttributeTable(ruler)
    assert 0 < len(table.shaped) < len(RULES)  # both ways of applying a rule are exercised
    with with_ruler.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(with_ruler.pipe(TEXTS))
    by_ruler = [ruler(doc.copy()).to_array(ANNOTATIONS) for doc in docs]
    by_table = [table(doc.copy()).to_array(ANNOTATIONS) for doc in docs]
    for expected, found in zip(by_ruler, by_table, strict=True):
        np.testing.assert_array_equal(found, expected)
    ain = [t for t in table(docs[0].copy()) if t.lower_ == "ai"]
    assert [t.lemma_ for t in ain] == ["am"]  # the later rule won
    assert [t.pos_ for t in table(docs[0].copy()) if t.lower_ == "they"] == ["PRON"]
    assert ruler(docs[0].copy())[0].pos_ != docs[0][0].pos_  # the rules did change something


def test_a_rule_of_another_shape_leaves_the_pipeline_its_ruler() -> None:
    nlp = english_model()
    nlp.get_pipe("attribute_ruler").add([[{"ORTH": "Kyodo"}]], {"POS": "PROPN"})
    with pytest.raises(UnsupportedRule, match="ORTH"):
        AttributeTable(nlp.get_pipe("attribute_ruler"))
    _attribute_rules_by_table(nlp)
    assert "attribute_ruler" in nlp.pipe_names
    assert "newsflow_attribute_table" not in nlp.pipe_names
    assert nlp("Kyodo reported it.")[0].pos_ == "PROPN"
