"""Claims: who asserted, believed, wanted or judged what, citing whom, read from spaCy's parse.

The cues come from tasks/cues.py (verbs and nouns of saying, believing, wanting and judging).
Rules, tried at every token:
1. a cue verb's clausal complement is the content ("X said that ..."); when the complement lies
   in a quotation, the whole quotation is the content and it is direct;
2. a quotation right before or right after the verb's own clause is content too; a quotation the
   cue interrupts ('"Q1," X said. "Q2."') and the wholly quoted paragraphs it runs on into are one
   content;
3. without a clause, the verb's infinitive, object (with its predicate: "called X a Y"),
   prepositional object ("called for X") or, in the passive with an agent, its subject is the
   content ("wants to ...", "criticised the plan", "was endorsed by X");
4. a cue noun's clause or prepositional object ("Trump's claim that ...", "her plan to ..."),
   its source the possessor or the subject of the verb it hangs from ("X voiced concern about");
   likewise a stance adjective's ("X is critical of Y", "X was confident that ...");
5. "according to X" makes X the source of the rest of its clause; "X quoted Y (as) saying ..."
   and "..., citing Y" give the cited source Y; "NAME: ..." lines (transcripts, headlines) and
   '"Q" ― NAME' lines (vox pops) give the line or quotation to NAME;
6. a parenthetical cue ("X, he said, Y") gives its subject the clause around it;
7. a claim whose cue lies inside another claim's content is part of that claim, not its own,
   and a cue inside a quotation belongs to the quoted words ('"I think ...," she said').
The source is the subject, inherited through conjoined, infinitive and participial verbs (not a
passive participle: "Asked about X, she said" leaves the asker unnamed) and read off the phrase a
subjectless gerund sits in ("X took the lead in opposing Y"); "who" resolves to its antecedent.
Quotations that no cue claims (scare quotes, titles) are not claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from schemas.records import ClaimRecord
from tasks.cues import (
    ATTRIBUTION_ADJECTIVES,
    ATTRIBUTION_NOUNS,
    ATTRIBUTION_VERBS,
    CLAUSE_ONLY_VERBS,
    COGNITION_VERBS,
    DESIRE_VERBS,
    EVIDENCE_VERBS,
    JUDGEMENT_VERBS,
    PREPOSITIONAL_CONTENT,
    SPEECH_VERBS,
)
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


_QUOTE_MARKS = re.compile("''|[“”\"\n]")


def find_quotations(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations, marks included. Straight and curly marks pair with each
    other (news text mixes them), and so do doubled apostrophes (''...'', an old newspaper
    style); a quotation left open at a paragraph's end closes there."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for match in _QUOTE_MARKS.finditer(text):
        mark, index = match.group(), match.start()
        if opened is None:
            if mark != "\n" and mark != "”":
                opened = index
        elif mark in ("”", '"', "''"):
            spans.append((opened, match.end()))
            opened = None
        else:  # a line break or a new opening mark closes an unterminated quotation
            end = index
            while end > opened and text[end - 1].isspace():
                end -= 1
            if end - opened > 1:
                spans.append((opened, end))
            opened = index if mark == "“" else None
    if opened is not None and len(text) - opened > 1:
        spans.append((opened, len(text.rstrip())))
    return spans


def claims_from_doc(doc: Doc, *, skip_spans: Sequence[tuple[int, int]] = ()) -> list[ClaimRecord]:
    """Every claim in the parsed text outside skip_spans (captions)."""
    discourse = Discourse.of(doc)
    quotations = [q for q in find_quotations(doc_text(doc)) if not overlaps(q[0], q[1], skip_spans)]
    claims: dict[tuple[int, int, int | None], tuple[ClaimRecord, int]] = {}
    for sentence in sentences_outside(doc, skip_spans):
        for token in sentence:
            for claim in _claims_at(token, quotations, discourse):
                key = (claim.content_start, claim.content_end, claim.source_start)
                claims.setdefault(key, (claim, token.idx))
                if claim.speaker and claim.source_start is not None:
                    discourse.add(claim.source_start, claim.speaker, _discourse_kind(claim))
    signed = _signed_quotation_claims(doc, quotations, discourse)
    for claim, colon in _speaker_line_claims(doc, skip_spans, discourse) + signed:
        key = (claim.content_start, claim.content_end, claim.source_start)
        claims.setdefault(key, (claim, colon))
    outermost = _outermost(list(claims.values()))
    return sorted(outermost, key=lambda c: (c.content_start, c.source_start or 0))


# "PENCE: ...", "Poll: ...": a line opening with a short name and a colon (transcripts,
# headlines) gives the rest of the line to that name; a transcript quoted paragraph by paragraph
# opens each turn with a quotation mark ('"WALLACE: ...').
_SPEAKER_LINE = re.compile(
    r"^[ \t]*[\"“]?([A-Z][\w.’'-]*(?:[ \t]+[A-Z][\w.’'-]*){0,3}):[ \t]+(\S[^\n]*)$", re.M
)


def _speaker_line_claims(
    doc: Doc, skip_spans: Sequence[tuple[int, int]], discourse: Discourse
) -> list[tuple[ClaimRecord, int]]:
    found = []
    for match in _SPEAKER_LINE.finditer(doc_text(doc)):
        (name_start, name_end), (start, end) = match.span(1), match.span(2)
        end = start + len(match.group(2).rstrip())
        source = doc.char_span(name_start, name_end)
        if source is None or overlaps(name_start, end, skip_spans):
            continue
        name = trim_span(source).text
        speaker = _Speaker(discourse.full_name(name), speaker_kind_of_name(name, "other"))
        colon = doc[source.end] if source.end < len(doc) else source[-1]
        claim = _claim(doc, start, end, False, source, colon, speaker, None)
        found.append((claim, name_end))
    return found


# '"Quote." ― Name': a quotation signed after a dash at the end of its line (vox pops,
# epigraphs, letters to the editor).
_SIGNATURE = re.compile(r"[ \t]*[―—–-][ \t]*([A-Z][^\n―—–]{0,80}?)[\s.,;]*$")


def _signed_quotation_claims(
    doc: Doc, quotations: list[tuple[int, int]], discourse: Discourse
) -> list[tuple[ClaimRecord, int]]:
    text = doc_text(doc)
    found = []
    for start, end in quotations:
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        match = _SIGNATURE.match(text, end, line_end)
        source = match and doc.char_span(*match.span(1), alignment_mode="contract")
        if not source:
            continue
        name = trim_span(source).text.split(",")[0]  # "Jane Roe, a teacher" → "Jane Roe"
        speaker = _Speaker(discourse.full_name(name), speaker_kind_of_name(name, "person"))
        dash = doc[max(source.start - 1, 0)]
        claim = _claim(doc, start, end, True, source, dash, speaker, None)
        found.append((claim, dash.idx))
    return found


def _outermost(found: list[tuple[ClaimRecord, int]]) -> list[ClaimRecord]:
    """Claims whose cue lies in no other claim's content: a belief reported inside what someone
    said ("X said Y wants Z") is part of X's claim, not a claim of its own."""
    contents = [(claim.content_start, claim.content_end) for claim, _ in found]
    return [
        claim
        for index, (claim, cue_start) in enumerate(found)
        if not any(
            start <= cue_start < end
            for other, (start, end) in enumerate(contents)
            if other != index
        )
    ]


def _discourse_kind(claim: ClaimRecord) -> str:
    return "person" if claim.speaker_kind == "person" else "organisation"


def _claims_at(
    token: Token, quotations: list[tuple[int, int]], discourse: Discourse
) -> list[ClaimRecord]:
    cue = _cue_kind(token)
    # Quoted words' own cues ("I think", "they want") belong to the quotation. Tested after the
    # cue, which few tokens are: the quotation test scans every quotation of the article.
    if cue is None or _in_quotation(token, quotations):
        return []
    if cue == "according":
        claim = _according_to_claim(token, quotations, discourse)
    elif cue == "verb":
        return _speech_verb_claims(token, quotations, discourse)
    elif cue == "noun":
        claim = _noun_claim(token, discourse)
    else:
        claim = _adjective_claim(token, discourse)
    return [claim] if claim else []


def _cue_kind(token: Token) -> str | None:
    """What kind of attribution cue a token is, if any: "according" (to), a verb of saying, an
    attribution noun ("claim", "plan") or adjective ("confident")."""
    if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
        return "according"
    if _is_cue_verb(token):
        return "verb"
    if token.pos_ == "NOUN" and (
        token.lower_ in ATTRIBUTION_NOUNS or token.lemma_.lower() in ATTRIBUTION_NOUNS
    ):
        return "noun"
    if token.dep_ == "acomp" and token.lemma_.lower() in ATTRIBUTION_ADJECTIVES:
        return "adjective"
    return None


def _adjective_claim(adjective: Token, discourse: Discourse) -> ClaimRecord | None:
    """ "X is critical of Y", "X was confident that ...": the adjective's clause or
    prepositional object is the content, the subject of its verb the source."""
    content = _noun_content(adjective)
    subject = _subject_of(adjective.head)
    if content is None or subject is None:
        return None
    source = _source_span(subject)
    if overlaps(source.start_char, source.end_char, [content]):
        return None
    speaker = _speaker(subject, discourse)
    return _claim(adjective.doc, content[0], content[1], False, source, adjective, speaker, None)


_NOUN_CONTENT_PREPOSITIONS = frozenset({"of", "for", "about", "on", "against", "over", "to"})


def _noun_claim(noun: Token, discourse: Discourse) -> ClaimRecord | None:
    """ "Trump's claim that ...", "her plan to ...", "X voiced concern about ...": the noun's
    clause or prepositional object is the content; its owner or the light verb's subject is the
    source."""
    content = _noun_content(noun)
    if content is None:
        return None
    owner = _noun_owner(noun)
    source = _source_span(owner) if owner is not None else None
    if source is not None and overlaps(source.start_char, source.end_char, [content]):
        return None
    speaker = _speaker(owner, discourse) if owner is not None else _Speaker(None, None)
    return _claim(noun.doc, content[0], content[1], False, source, noun, speaker, None)


def _noun_content(noun: Token) -> tuple[int, int] | None:
    for child in noun.rights:
        if (
            child.dep_ in ("acl", "ccomp")
            and child.pos_ in ("VERB", "AUX")
            and _is_complement(child)
        ):
            tokens = list(child.subtree)
        elif child.dep_ == "prep" and child.lower_ in _NOUN_CONTENT_PREPOSITIONS:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if not objects or objects[0].ent_type_ in _SETTING_ENTITIES:
                continue
            tokens = [t for o in objects for t in o.subtree]
        else:
            continue
        span = _strip_span_punct(noun.doc[min(t.i for t in tokens) : max(t.i for t in tokens) + 1])
        if span is not None:
            return span.start_char, span.end_char
    return None


def _is_complement(verb: Token) -> bool:
    """A "that" clause or a "to" infinitive, not a participle ("the statement released ...")."""
    return any(
        c.dep_ == "mark"
        and c.lower_ in ("that", "whether", "if")
        or c.dep_ == "aux"
        and c.lower_ == "to"
        for c in verb.children
    )


def _noun_owner(noun: Token) -> Token | None:
    """Whose statement, plan or criticism a cue noun is: its possessor ("Trump's claim"), else
    the subject of the verb it hangs from ("She peppered him with attacks on ...", "They went
    with hopes of ...", "X voiced concern")."""
    for child in noun.children:
        # a subject hung on the noun means the parser took a verb for it ("Trump claims that")
        if child.dep_ in ("poss", "nsubj"):
            return child
    # "the Trump claims that ...", "Obama plans to ...": a name compounded with the noun owns it
    names = [c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
    if names:
        return names[-1]
    verb = _governing_verb(noun)
    return _subject_of(verb) if verb is not None else None


_NOUN_ATTACHMENTS = frozenset({"dobj", "pobj", "conj", "attr", "appos", "oprd"})


def _governing_verb(noun: Token) -> Token | None:
    """The verb a noun is the object of, directly or through prepositions and conjunctions."""
    node = noun
    for _ in range(4):
        if node.dep_ not in _NOUN_ATTACHMENTS and node.dep_ != "prep":
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def _is_cue_verb(token: Token) -> bool:
    if token.lemma_.lower() not in ATTRIBUTION_VERBS or token.pos_ not in ("VERB", "AUX"):
        return False
    # "so-called", "self-described": part of a compound adjective, not a verb of saying
    if token.i > 0 and token.doc[token.i - 1].text in ("-", "‐"):
        return False
    # "..., the broadcaster reported, citing X": X is the cited source of "reported"
    return not (
        token.lemma_.lower() in _QUOTING_VERBS
        and token.dep_ in ("advcl", "xcomp", "conj", "dep")
        and token.head.lemma_.lower() in ATTRIBUTION_VERBS
    )


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
    # a parenthetical cue ("X, he said, Y") stands inside the hull of what it reports
    aside = _is_parenthetical(verb)
    for start, end, direct in contents:
        if (
            source_span is not None
            and not aside
            and _source_inside(source_span, start, end, quotations)
        ):
            continue  # the "source" is inside what was said: a misparse
        claims.append(_claim(verb.doc, start, end, direct, source_span, cue, speaker, cited_source))
    return claims


def _source_inside(source: Span, start: int, end: int, quotations: list[tuple[int, int]]) -> bool:
    """Whether a source lies within the words it is said to have said. A content joining two
    quotations around the cue ('"Q1," X said. "Q2."') holds its source between them."""
    if not overlaps(source.start_char, source.end_char, [(start, end)]):
        return False
    quoted = [(q_start, q_end) for q_start, q_end in quotations if start <= q_start < end]
    return not quoted or overlaps(source.start_char, source.end_char, quoted)


# What links a reported clause to the text around it is not part of what was said: a leading
# connective ("However,", "In addition,") or a dateline ("WASHINGTON ―").
_LEADING_CONNECTIVE = re.compile(
    r"(?:(?i:however|moreover|meanwhile|furthermore|nevertheless|nonetheless|in addition|"
    r"still|instead),\s+|[A-Z][A-Z .,]{2,40}\s+[―—–-]+\s+)*"
)


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
    if not direct:
        start += len(_LEADING_CONNECTIVE.match(doc_text(doc), start, end).group())
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


_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})


def _subject_of(verb: Token) -> Token | None:
    """The grammatical subject, inherited through conjoined, infinitive and participial verbs
    ("X tried to convince ...", "X, calling Y ...", "X started by emphasizing ..."), and through
    relative pronouns ("X, who said ...")."""
    agent = _agent_of(verb)
    if agent is not None:
        return agent
    node: Token | None = verb
    for _ in range(4):
        if node is None:
            break
        subject = _own_subject(node)
        if subject is None and node is not verb:
            # a passive controller's subject ("she was urged to testify", "after saying X,
            # she was taken ...") is the one who testifies and said X
            subject = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
        if subject is not None:
            return subject
        node = _controller(node)
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head  # "sources saying that ..."
    if verb.tag_ in ("VBG", "VB"):
        return _enclosing_agent(verb)
    return None


_NESTING_DEPS = frozenset({"prep", "pcomp", "pobj", "xcomp", "acomp", "advcl", "conj", "dobj"})


def _enclosing_agent(verb: Token) -> Token | None:
    """Whoever does what a subjectless gerund or infinitive names, read off the phrase it sits
    in: the possessor of a noun ("his theme of questioning X") or the subject of a verb
    ("Republicans were in the lead in advocating X"), within the same clause."""
    node = verb
    for _ in range(6):
        if node.dep_ not in _NESTING_DEPS or node.head.i == node.i:
            return None
        node = node.head
        owner = next((c for c in node.children if c.dep_ == "poss"), None)
        subject = owner if node.pos_ in ("NOUN", "PROPN") else _own_subject(node)
        if subject is not None:
            return subject
    return None


def _own_subject(verb: Token) -> Token | None:
    subjects = [child for child in verb.children if child.dep_ == "nsubj"]
    # "the reasons that Trump refuses ...": a misparse giving the clause two subjects
    named = [s for s in subjects if s.lower_ not in _RELATIVE_PRONOUNS]
    if named or subjects:
        return (named or subjects)[0]
    # "Hernandez charges that ...": a name the parser took for a compound of the verb
    names = [c for c in verb.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
    if names:
        return names[-1]
    return _agent_of(verb)


def _controller(verb: Token) -> Token | None:
    """The verb whose subject a subjectless verb takes over, if any."""
    head = verb.head
    if head.i == verb.i:
        return None
    if verb.dep_ in ("conj", "xcomp"):
        # "X was able / determined / free to warn ...": the adjective's verb has the subject
        if verb.dep_ == "xcomp" and head.dep_ == "acomp" and head.head.i != head.i:
            return head.head
        return head
    # a participle or infinitive adjunct without a subject of its own: "..., calling it a hoax";
    # not a passive one, whose missing agent is someone else ("Asked about X, she said ...")
    if verb.dep_ == "advcl" and verb.tag_ in ("VBG", "VB"):
        return head
    # a gerund after a preposition: "started by emphasizing X", "steering clear of criticizing"
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        return head.head
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
    elif not contents and _is_parenthetical(verb):
        contents.append(_around_parenthetical(verb))
    if not contents:
        complement = _complement_content(verb)
        if complement is not None:
            contents.append(complement)
    clause_start, clause_end = _clause_bounds(verb, contents, quotations)
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
    contents = _drop_closed_quotation_before(contents, clause_start, text)
    return _join_quotations(contents, (clause_start, clause_end), quotations, text)


def _is_parenthetical(verb: Token) -> bool:
    """ "X, he said, Y", "X, he told me on Friday, Y" and "X, he said.": a bare speech verb with
    its subject set off by commas inside the clause it reports, with no complement of its own."""
    if verb.dep_ != "parataxis" or verb.lemma_.lower() not in SPEECH_VERBS | COGNITION_VERBS:
        return False
    if verb.head.pos_ not in ("VERB", "AUX"):
        return False
    if any(
        c.dep_ in ("ccomp", "xcomp") or c.dep_ == "dobj" and c.pos_ != "PRON" for c in verb.children
    ):
        return False
    first, _ = _aside_bounds(verb)
    return first > verb.head.left_edge.i and verb.doc[first - 1].text in (",", "—", "–")


_ASIDE_DEPS = frozenset(
    {"nsubj", "advmod", "npadvmod", "prep", "dobj", "dative", "prt", "aux", "neg"}
)


def _aside_bounds(verb: Token) -> tuple[int, int]:
    """First and last token of a parenthetical cue's own words: subject, verb, addressee and
    adverbials ("Mr. X argued in an interview"), without a clause hung on it by the parser."""
    own = [verb] + [t for c in verb.children if c.dep_ in _ASIDE_DEPS for t in c.subtree]
    return min(t.i for t in own), max(t.i for t in own)


def _around_parenthetical(verb: Token) -> tuple[int, int, bool]:
    """The reporting clause around a parenthetical cue, the cue itself left out (its hull)."""
    first, last = _aside_bounds(verb)
    tokens = [t for t in verb.head.subtree if not first <= t.i <= last and not t.is_space]
    text = doc_text(verb.doc)
    lead = text[tokens[0].idx : verb.doc[first].idx]
    if len(_LEADING_CONNECTIVE.match(lead).group()) == len(lead):
        # "However, he said, X": only a connective before the aside, so X alone was said
        tokens = [t for t in tokens if t.i > last] or tokens
    span = _strip_span_punct(verb.doc[tokens[0].i : tokens[-1].i + 1])
    if span is None:
        return verb.idx, verb.idx + len(verb), False
    return span.start_char, span.end_char, False


def _drop_closed_quotation_before(
    contents: list[tuple[int, int, bool]], clause_start: int, text: str
) -> list[tuple[int, int, bool]]:
    """'"... fail." In a statement, X said: "Q"': a quotation ending its own sentence before
    the cue belongs to an earlier attribution when the cue has a quotation of its own after it
    (a quotation the cue attributes closes with a comma: '"Q," X said')."""
    if not any(start >= clause_start for start, _, _ in contents):
        return contents
    return [
        (start, end, direct)
        for start, end, direct in contents
        if not (
            direct
            and end <= clause_start
            and text[start:end].rstrip(_QUOTE_CLOSE + "'")[-1:] == "."
        )
    ]


_SENTENCE_GAP = re.compile(r"^[ \t.,:;—–-]*$")


def _join_quotations(
    contents: list[tuple[int, int, bool]],
    clause: tuple[int, int],
    quotations: list[tuple[int, int]],
    text: str,
) -> list[tuple[int, int, bool]]:
    """One content for a quotation the cue interrupts and for the paragraphs it runs on into:
    '"Q1," she said. "Q2."' and a quotation continued in paragraphs that are wholly quoted."""
    clause_start, clause_end = clause
    # a content ending in a quotation before the cue ('X is "smart," she said. "Q2"') runs on
    direct = sorted(
        c if c[2] else (c[0], _quotation_end(c[1], quotations, text), False)
        for c in contents
        if c[2] or c[1] <= clause_start and _quotation_end(c[1], quotations, text) != c[1]
    )
    if not direct or len(direct) != len(contents):
        return contents
    start, end = direct[0][0], direct[-1][1]
    if len(direct) == 1 and end <= clause_end:
        following = next((q for q in quotations if q[0] >= clause_end), None)
        if following is not None and _SENTENCE_GAP.match(text[clause_end : following[0]]):
            end = following[1]
    for q_start, q_end in quotations:
        if q_start < end:
            continue
        gap, rest = text[end:q_start], text[q_end : q_end + 2]
        if "\n" not in gap or gap.strip() or (rest.strip() and "\n" not in rest):
            break
        end = q_end
    return [(start, end, direct[0][2])]


_CLOSING_PUNCT = re.compile(r"^[,.;:!?]*$")


def _quotation_end(end: int, quotations: list[tuple[int, int]], text: str) -> int:
    """Where the quotation closing at `end` (after its last punctuation) ends; else `end`."""
    for q_start, q_end in quotations:
        if q_start < end <= q_end and _CLOSING_PUNCT.match(text[end:q_end].rstrip(_QUOTE_CLOSE)):
            return q_end
    return end


_OBJECT_DEPS = ("dobj", "xcomp", "oprd", "dative")


def _complement_content(verb: Token) -> tuple[int, int, bool] | None:
    """What a cue verb without a clause gives to its subject: an infinitive ("vowed to ..."),
    a noun phrase ("criticised the plan", "called him a liar"), a preposition's object
    ("called for ..."), or the subject of a passive with an agent ("was endorsed by X")."""
    lemma = verb.lemma_.lower()
    children = [c for c in verb.children if c.dep_ in _OBJECT_DEPS]
    if lemma in CLAUSE_ONLY_VERBS:
        children = [c for c in children if c.dep_ == "xcomp" and lemma in DESIRE_VERBS]
    if not children:
        children = _prepositional_objects(verb)
    if not children and _agent_of(verb) is not None:
        children = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if not children:
        return None
    children = children + _judgement_grounds(verb, children)
    aside = _asides(children)
    tokens = [t for child in children for t in child.subtree if not t.is_space and t.i not in aside]
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    span = _strip_span_punct(verb.doc[start:end])
    if span is None or verb.i in range(span.start, span.end):
        return None
    return span.start_char, span.end_char, False


def _asides(heads: list[Token]) -> set[int]:
    """Token indices of non-restrictive relative clauses closing a noun phrase ("the health of
    Donald Trump, who is 70"): a description of the object, not part of what was said of it."""
    aside: set[int] = set()
    for head in heads:
        for token in head.subtree:
            if token.dep_ != "relcl" or token.head.pos_ not in ("NOUN", "PROPN"):
                continue
            clause = list(token.subtree)
            before = token.doc[clause[0].i - 1] if clause[0].i > 0 else None
            if before is not None and before.text == "," and clause[-1].i >= head.right_edge.i:
                aside.update(t.i for t in clause)
    return aside


# Prepositions that complete a judgement of an object: "blamed X for Y", "dismissed X as Y",
# "linked X to Y", "compared X with Y".
_GROUNDS_PREPOSITIONS = frozenset({"for", "as", "to", "with", "over", "of"})


def _judgement_grounds(verb: Token, objects: list[Token]) -> list[Token]:
    """The reason or role a judgement gives its object belongs to what was judged."""
    if verb.lemma_.lower() not in JUDGEMENT_VERBS | EVIDENCE_VERBS or not any(
        o.dep_ == "dobj" for o in objects
    ):
        return []
    last = max(t.i for o in objects for t in o.subtree)
    return [
        child
        for child in verb.rights
        if child.i > last
        and child.dep_ == "prep"
        and child.lower_ in _GROUNDS_PREPOSITIONS
        and not any(o.ent_type_ in _SETTING_ENTITIES for o in child.children)
    ]


_SETTING_ENTITIES = frozenset({"DATE", "TIME", "GPE", "LOC", "FAC", "EVENT", "CARDINAL"})


def _prepositional_objects(verb: Token) -> list[Token]:
    """ "called for X", "warned against X": the preposition right after the verb."""
    if verb.lemma_.lower() not in JUDGEMENT_VERBS | SPEECH_VERBS | DESIRE_VERBS | EVIDENCE_VERBS:
        return []
    for child in verb.rights:
        if child.dep_ == "prep" and child.lower_ in PREPOSITIONAL_CONTENT and child.i - verb.i <= 2:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            # "spoke on Monday", "talked in Ohio": when and where, not what
            return [o for o in objects if o.ent_type_ not in _SETTING_ENTITIES]
    return []


def _agent_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _strip_span_punct(span: Span) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].is_space or doc[start].is_punct and not doc[start].is_quote):
        start += 1
    while end > start and (
        doc[end - 1].is_space or doc[end - 1].is_punct and not doc[end - 1].is_quote
    ):
        end -= 1
    return doc[start:end] if end > start else None


def _clause_bounds(
    verb: Token, contents: list[tuple[int, int, bool]], quotations: list[tuple[int, int]]
) -> tuple[int, int]:
    """Where the verb's own clause (subject, verb, adjuncts) starts and ends in the text; quoted
    words before it that the parser hangs on the verb ('"Every time," X said') are not part of
    it."""
    tokens = [verb]
    for child in verb.children:
        if child.dep_ in ("ccomp", "parataxis", "punct") or child.is_space:
            continue
        tokens.extend(child.subtree)
    tokens = [
        t
        for t in tokens
        if not any(s <= t.idx < e for s, e, _ in contents)
        and not (t.i < verb.i and _in_quotation(t, quotations))
    ] or [verb]
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
            # 'said that "..."': the complementiser belongs to the content as written
            # and so does a subject the quotation runs on from ('Putin has "been a leader ..."')
            lead = [t for t in words if t.idx < q_start]
            if lead:
                # ... and so do words after it ('is "a big problem" but "nobody ..."')
                last_word = max(t.idx + len(t) for t in words)
                return min(t.idx for t in lead), max(q_end, last_word), False
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
    if subject.lower_ in _RELATIVE_PRONOUNS and subject.head.dep_ == "relcl":
        # "X, who said ...": the source as written is "who", the speaker is X
        return _speaker(subject.head.head, discourse)
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
    if kind == "organisation" and subject.head.lemma_.lower() == "report":
        kind = "media"  # an organisation that reports news is an outlet ("NHK reported")
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
