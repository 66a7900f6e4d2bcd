"""Claims: who asserted what, citing whom, read from spaCy's dependency parse.

Rules, in the order they are tried for each speech verb (say, state, tell, add, ...):
1. the verb's clausal complement is the content ("X said that ..."); when the complement lies in a
   quotation, the whole quotation (possibly several sentences) is the content and it is direct;
2. a quotation right before or right after the verb's own clause is content too
   ("'...,' the NHK stated", "He said: '...'", "'A,' he said, 'B.'");
3. "according to X" makes X the source of the rest of its clause;
4. "X quoted Y (as) saying ..." and "..., citing Y" give the cited source Y.
Quotations that no speech verb claims (scare quotes, titles) are not claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from schemas.records import ClaimRecord
from tasks.nlp import (
    PRONOUNS,
    Discourse,
    canonical_name,
    doc_text,
    overlaps,
    sentences_outside,
    trim_span,
    words,
)

SPEECH_VERBS = words(
    """say state tell add claim announce report note explain argue insist confirm deny acknowledge
    admit assert declare reaffirm stress emphasize emphasise suggest write tweet post predict
    estimate reply respond comment reveal disclose agree concede complain allege maintain recall
    indicate warn caution testify remark observe conclude contend point believe think know feel
    expect hope fear worry doubt learn show find signal vow pledge promise urge"""
)
# Verbs whose object is the person quoted: "It quoted sources ... saying", "citing officials".
_QUOTING_VERBS = frozenset({"quote", "cite"})
_ANONYMOUS_HEADS = words(
    """source official person people aide insider diplomat spokesman spokeswoman spokesperson
    analyst expert observer witness resident officer member someone"""
)
_MEDIA_WORDS = re.compile(
    r"\b(news|times|post|journal|agency|press|tv|television|radio|broadcast\w*|network|magazine|"
    r"herald|tribune|gazette|daily|newspaper|reuters|xinhua|tass|bbc|cnn|yonhap|outlet|channel|"
    r"wire|associated press|afp|bloomberg|guardian|telegraph)\b",
    re.IGNORECASE,
)
_GOVERNMENT_WORDS = re.compile(
    r"\b(ministry|department|government|office|embassy|white house|pentagon|kremlin|police|"
    r"military|army|navy|air force|council|parliament|congress|senate|administration|cabinet|"
    r"state department|forces|commission|authorit(y|ies)|prosecutors?|court)\b",
    re.IGNORECASE,
)
_DOCUMENT_NOUNS = frozenset(
    {
        "statement",
        "report",
        "release",
        "remarks",
        "comment",
        "announcement",
        "account",
        "letter",
        "tweet",
        "post",
        "interview",
        "briefing",
    }
)
_QUOTE_OPEN = '“"'
_QUOTE_CLOSE = '”"'
_ADJACENT_GAP = re.compile(r"^[\s,:;—–-]*$")


@dataclass(frozen=True)
class _Speaker:
    name: str | None
    kind: str | None


def find_quotations(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations, marks included. Straight and curly marks pair with each
    other (news text mixes them); a quotation left open at a paragraph's end closes there."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for index, char in enumerate(text):
        if opened is None:
            if char in _QUOTE_OPEN:
                opened = index
        elif char in _QUOTE_CLOSE:
            spans.append((opened, index + 1))
            opened = None
        elif char == "\n" or char == "“":
            end = index
            while end > opened and text[end - 1].isspace():
                end -= 1
            if end - opened > 1:
                spans.append((opened, end))
            opened = index if char == "“" else None
    if opened is not None and len(text) - opened > 1:
        spans.append((opened, len(text.rstrip())))
    return spans


def claims_from_doc(doc: Doc, *, skip_spans: Sequence[tuple[int, int]] = ()) -> list[ClaimRecord]:
    """Every claim in the parsed text outside skip_spans (captions)."""
    discourse = Discourse.of(doc)
    quotations = [q for q in find_quotations(doc_text(doc)) if not overlaps(q[0], q[1], skip_spans)]
    claims: dict[tuple[int, int, int | None], ClaimRecord] = {}
    for sentence in sentences_outside(doc, skip_spans):
        for token in sentence:
            for claim in _claims_at(token, quotations, discourse):
                claims.setdefault(
                    (claim.content_start, claim.content_end, claim.source_start), claim
                )
                if claim.speaker and claim.source_start is not None:
                    discourse.add(claim.source_start, claim.speaker, _discourse_kind(claim))
    return sorted(claims.values(), key=lambda c: (c.content_start, c.source_start or 0))


def _discourse_kind(claim: ClaimRecord) -> str:
    return "person" if claim.speaker_kind == "person" else "organisation"


def _claims_at(
    token: Token, quotations: list[tuple[int, int]], discourse: Discourse
) -> list[ClaimRecord]:
    if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
        claim = _according_to_claim(token, quotations, discourse)
        return [claim] if claim else []
    if token.lemma_.lower() in SPEECH_VERBS and token.pos_ in ("VERB", "AUX"):
        return _speech_verb_claims(token, quotations, discourse)
    return []


def _speech_verb_claims(
    verb: Token, quotations: list[tuple[int, int]], discourse: Discourse
) -> list[ClaimRecord]:
    quoting_verb = _quoting_verb_above(verb)
    subject = _subject_of(quoting_verb or verb)
    cited_source = _cited_source(verb, quoting_verb)
    cue = quoting_verb or verb
    contents = _contents_of(verb, quotations)
    if not contents:
        return []
    source_span = _source_span(subject) if subject is not None else None
    speaker = _speaker(subject, discourse) if subject is not None else _Speaker(None, None)
    claims = []
    for start, end, direct in contents:
        if source_span is not None and overlaps(
            source_span.start_char, source_span.end_char, [(start, end)]
        ):
            continue  # the "source" is inside what was said: a misparse
        claims.append(_claim(verb.doc, start, end, direct, source_span, cue, speaker, cited_source))
    return claims


def _claim(
    doc: Doc,
    start: int,
    end: int,
    direct: bool,
    source: Span | None,
    cue: Token,
    speaker: _Speaker,
    cited_source: str | None,
) -> ClaimRecord:
    return ClaimRecord(
        content=doc_text(doc)[start:end],
        content_start=start,
        content_end=end,
        source=source.text if source is not None and len(source) else None,
        source_start=source.start_char if source is not None and len(source) else None,
        source_end=source.end_char if source is not None and len(source) else None,
        cue=cue.text,
        is_direct_quote=direct,
        speaker=speaker.name,
        speaker_kind=speaker.kind,
        cited_source=cited_source,
    )


def _quoting_verb_above(verb: Token) -> Token | None:
    """For "It quoted sources ... saying", the verb "quoted" above "saying"."""
    if verb.tag_ != "VBG":
        return None
    node = verb
    for _ in range(3):
        node = node.head
        if node.lemma_.lower() in _QUOTING_VERBS:
            return node
        if node.head.i == node.i:
            break
    return None


def _subject_of(verb: Token) -> Token | None:
    """The grammatical subject, inherited through conjoined and auxiliary-like verbs."""
    node = verb
    for _ in range(3):
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
            if child.dep_ == "agent":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return objects[0]
        if node.dep_ in ("conj", "xcomp") and node.head.i != node.i:
            node = node.head
        else:
            break
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head  # "sources saying that ..."
    return None


def _phrase(token: Token) -> Span:
    """A token's phrase without relative clauses and trailing appositions' punctuation."""
    tokens = [t for t in token.subtree if not _inside_clause_below(t, token)]
    return token.doc[min(t.i for t in tokens) : max(t.i for t in tokens) + 1]


def _source_span(subject: Token) -> Span:
    """The source as written ("the NHK"), without surrounding punctuation."""
    span = _phrase(subject)
    while len(span) > 1 and (span[0].is_punct or span[0].is_space):
        span = span[1:]
    while len(span) > 1 and (span[-1].is_punct or span[-1].is_space):
        span = span[:-1]
    return span


def _inside_clause_below(token: Token, root: Token) -> bool:
    node = token
    while node.i != root.i and node.head.i != node.i:
        if node.dep_ in ("relcl", "acl", "advcl", "ccomp"):
            return True
        node = node.head
    return False


def _contents_of(verb: Token, quotations: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Content spans (start, end, is_direct_quote) of a speech verb."""
    contents: list[tuple[int, int, bool]] = []
    for child in verb.children:
        if child.dep_ == "ccomp" or (
            child.dep_ == "parataxis" and _in_quotation(child, quotations)
        ):
            contents.append(_clause_content(child, quotations))
    if verb.dep_ in ("parataxis", "advcl") and _in_quotation(verb.head, quotations):
        contents.append(_clause_content(verb.head, quotations))
    clause_start, clause_end = _clause_bounds(verb, contents)
    text = doc_text(verb.doc)
    for start, end in quotations:
        if any(
            start <= c_start < end or c_start <= start < c_end for c_start, c_end, _ in contents
        ):
            continue
        before = end <= clause_start and _ADJACENT_GAP.match(text[end:clause_start])
        after = start >= clause_end and _ADJACENT_GAP.match(text[clause_end:start])
        if before or after:
            contents.append((start, end, True))
    return contents


def _clause_bounds(verb: Token, contents: list[tuple[int, int, bool]]) -> tuple[int, int]:
    """Where the verb's own clause (subject, verb, adjuncts) starts and ends in the text."""
    tokens = [verb]
    for child in verb.children:
        if child.dep_ in ("ccomp", "parataxis", "punct") or child.is_space:
            continue
        tokens.extend(child.subtree)
    tokens = [t for t in tokens if not any(s <= t.idx < e for s, e, _ in contents)] or [verb]
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return start, end


def _in_quotation(token: Token, quotations: list[tuple[int, int]]) -> bool:
    return any(start <= token.idx < end for start, end in quotations)


def _clause_content(head: Token, quotations: list[tuple[int, int]]) -> tuple[int, int, bool]:
    """A clause's span; the whole quotation when the clause is (mostly) quoted words."""
    words = [t for t in head.subtree if not (t.is_punct or t.is_space)]
    visible = [t for t in head.subtree if not t.is_space] or [head]
    start = min(t.idx for t in visible)
    end = max(t.idx + len(t) for t in visible)
    for q_start, q_end in quotations:
        quoted = [t for t in words if q_start <= t.idx < q_end]
        if q_start <= head.idx < q_end and len(quoted) >= 0.6 * len(words):
            return q_start, q_end, True
    doc = head.doc
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None:
        while len(span) > 1 and span[-1].is_punct and span[-1].text not in _QUOTE_CLOSE + "’)":
            span = span[:-1]
        return span.start_char, span.end_char, False
    return start, end, False


def _according_to_claim(
    according: Token, quotations: list[tuple[int, int]], discourse: Discourse
) -> ClaimRecord | None:
    to = next(c for c in according.children if c.lower_ == "to")
    objects = [c for c in to.children if c.dep_ == "pobj"]
    if not objects:
        return None
    source = _source_span(objects[0])
    head = according.head
    phrase = list(according.subtree)
    phrase_start, phrase_end = phrase[0].i, phrase[-1].i + 1
    clause = [t for t in head.subtree if not (phrase_start <= t.i < phrase_end)]
    before = [t for t in clause if t.i < phrase_start and not t.is_space]
    after = [t for t in clause if t.i >= phrase_end and not t.is_space]
    side = before if len(before) >= len(after) else after
    side = _strip_punct(side)
    if not side:
        return None
    doc = according.doc
    start, end = side[0].idx, side[-1].idx + len(side[-1])
    direct = any(q_start <= start and end <= q_end for q_start, q_end in quotations)
    speaker = _speaker(objects[0], discourse)
    cue_span = doc[according.i : to.i + 1]
    return ClaimRecord(
        content=doc_text(doc)[start:end],
        content_start=start,
        content_end=end,
        source=source.text,
        source_start=source.start_char,
        source_end=source.end_char,
        cue=cue_span.text,
        is_direct_quote=direct,
        speaker=speaker.name,
        speaker_kind=speaker.kind,
        cited_source=None,
    )


def _strip_punct(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[0].is_punct and tokens[0].text not in _QUOTE_OPEN:
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and tokens[-1].text not in _QUOTE_CLOSE:
        tokens = tokens[:-1]
    return tokens


def _speaker(subject: Token, discourse: Discourse) -> _Speaker:
    """The canonical name and kind of whoever a subject refers to."""
    if subject.lower_ in PRONOUNS:
        mention = discourse.resolve_pronoun(subject)
        if mention is None:
            return _Speaker(None, None)
        return _Speaker(mention.name, speaker_kind_of_name(mention.name, mention.kind))
    if _is_anonymous(subject):
        return _Speaker(trim_span(_phrase(subject)).text, "anonymous")
    name = discourse.full_name(canonical_name(subject))
    phrase = trim_span(_phrase(subject)).text
    kind = {"PERSON": "person", "GPE": "government", "NORP": "government"}.get(subject.ent_type_)
    if kind is None:
        kind = speaker_kind_of_name(phrase, "organisation" if subject.pos_ == "PROPN" else "other")
    return _Speaker(name, kind)


def speaker_kind_of_name(name: str, mention_kind: str) -> str:
    """media, government, person or organisation, from the words of a name."""
    if mention_kind == "person":
        return "person"
    if _MEDIA_WORDS.search(name):
        return "media"
    if _GOVERNMENT_WORDS.search(name) or mention_kind == "place":
        return "government"
    return "organisation"


def _is_anonymous(token: Token) -> bool:
    """ "sources familiar with the development", "a senior official": nobody named."""
    if token.lemma_.lower() not in _ANONYMOUS_HEADS:
        return False
    return not any(t.ent_type_ in ("PERSON", "ORG") for t in token.subtree)


def _cited_source(verb: Token, quoting_verb: Token | None) -> str | None:
    """Who the source cites: the object of "quoted" or of a "citing" beside the cue."""
    if quoting_verb is not None:
        quoted = [c for c in quoting_verb.children if c.dep_ in ("dobj", "dative")]
        if quoted:
            return _cited_name(quoted[0])
        if verb.dep_ == "acl":
            return _cited_name(verb.head)
    for child in verb.children:
        if child.lemma_.lower() == "cite" and child.dep_ in ("advcl", "xcomp", "conj", "dep"):
            objects = [c for c in child.children if c.dep_ == "dobj"]
            if objects:
                return _cited_name(objects[0])
    return None


def _cited_name(token: Token) -> str:
    """ "the Japanese Foreign Ministry's statement" → "Japanese Foreign Ministry"."""
    if token.lemma_.lower() in _DOCUMENT_NOUNS:
        owners = [c for c in token.children if c.dep_ == "poss"]
        if owners:
            return canonical_name(owners[0])
    if _is_anonymous(token) or token.pos_ == "NOUN":
        return trim_span(_phrase_with_modifiers(token)).text
    return canonical_name(token)


def _phrase_with_modifiers(token: Token) -> Span:
    tokens = [t for t in token.subtree if not _inside_clause_below(t, token)]
    return token.doc[min(t.i for t in tokens) : max(t.i for t in tokens) + 1]
