"""PLOVER definitions the event coder needs beyond its trigger lexicon: status, modality, modes
and contexts.

Status says whether an event took place as told. "met" happened; "will meet" is planned;
"could meet", "would meet if" and "is ready to meet" are hypothetical; "did not meet" and
"refused to meet" are negated. Modality then decides the PLOVER type of an announced intention
(PLOVER codes the statement, not the act): an announced conflictual act ("will withdraw",
"would boycott", "plans to impose restrictions") is a THREATEN, an announced cooperative one
("will support", "is ready to contribute troops") is an AGREE.

Modes and contexts come from the PLOVER codebook's own mode and context lists, matched on the
words of the sentence (CONSULT: visit, phone, third-party, multilateral; ASSAULT: explosives,
firearms, heavy weapons; ...).
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from schemas.records import EventStatus
from tasks.nlp import words

# Auxiliaries and governing words that shift an event out of what happened.
_FUTURE_AUX = words("will shall 'll wo")
_HYPOTHETICAL_AUX = words("would could might may should")
_NEGATING_HEADS = words("refuse decline fail deny reject avoid cancel postpone abandon")
_PLANNING_HEADS = words("plan intend prepare decide schedule set aim vote go expect agree")
_HYPOTHETICAL_HEADS = words(
    """threaten want hope seek try consider offer propose ask urge call demand willing ready
    able prepared poised likely wish vow swear pledge promise"""
)
_CONDITIONS = words("if unless")

# Which types are cooperative (promised, they are an AGREE) or conflictual (a THREATEN).
COOPERATIVE = frozenset({"SUPPORT", "CONCEDE", "COOPERATE", "AID", "AGREE", "CONSULT", "RETREAT"})
CONFLICTUAL = frozenset({"REJECT", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "PROTEST"})


def status_of(verb: Token) -> EventStatus:
    """Whether the event on this verb happened, is planned, hypothetical or negated."""
    if _negated(verb):
        return "negated"
    node = verb
    status: EventStatus = "happened"
    for _ in range(3):  # "said it would be ready to withdraw": walk up through complements
        aux = {c.lower_ for c in node.children if c.dep_ in ("aux", "auxpass")}
        if aux & _HYPOTHETICAL_AUX or _conditional(node):
            return "hypothetical"
        if aux & _FUTURE_AUX or _is_to_infinitive_of_be(node):
            status = "planned"
        if node.dep_ not in ("xcomp", "acomp") or node.head.i == node.i:
            break
        head = node.head
        lemma = head.lemma_.lower()
        if lemma in _NEGATING_HEADS or _negated(head):
            return "negated"
        if lemma in _HYPOTHETICAL_HEADS:
            return "hypothetical"
        if lemma in _PLANNING_HEADS:
            status = "planned"
        node = head
    return status


def _negated(verb: Token) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def _conditional(verb: Token) -> bool:
    """ "would meet if he gave them a veto": a condition hangs on the verb."""
    return any(
        child.dep_ == "advcl" and any(m.lower_ in _CONDITIONS for m in child.children)
        for child in verb.children
    )


def _is_to_infinitive_of_be(verb: Token) -> bool:
    """ "The ministers are to meet in May": be + to-infinitive is a plan."""
    head = verb.head
    return (
        verb.dep_ == "xcomp"
        and head.lemma_ == "be"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    )


def announced_type(event_type: str, status: EventStatus, conditional: bool) -> str:
    """The PLOVER type of a stated intention: promises are AGREE, threats THREATEN.

    A planned meeting stays a (planned) CONSULT and a planned resignation a RETREAT unless made
    conditional ("will withdraw unless ..." is a threat)."""
    if status not in ("planned", "hypothetical"):
        return event_type
    if event_type in CONFLICTUAL:
        return "THREATEN"
    if event_type == "RETREAT":  # "willing to withdraw" offers; "will withdraw unless" threatens
        if conditional:
            return "THREATEN"
        return "AGREE" if status == "hypothetical" else event_type
    if event_type == "CONSULT":
        return "AGREE" if status == "hypothetical" else event_type
    if event_type in COOPERATIVE:
        return "AGREE"
    return event_type


def has_condition(verb: Token) -> bool:
    node = verb
    for _ in range(3):
        if _conditional(node):
            return True
        node = node.head
    return False


# ---- modes ------------------------------------------------------------------------------------

# PLOVER modes by type, each with the words that mark it in news text.
_MODES: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "CONSULT": (
        ("phone", re.compile(r"\b(phone|telephone|call(ed)? by phone|video ?(call|conference))\b")),
        ("third-party", re.compile(r"\b(mediat\w+|broker\w*|between)\b")),
        ("multilateral", re.compile(r"\b(summit|trilateral|multilateral|forum)\b")),
        ("visit", re.compile(r"\b(visit\w*|trip|travell?ed to|arrived in)\b")),
        ("host", re.compile(r"\b(host\w*|welcomed)\b")),
    ),
    "ASSAULT": (
        ("explosives", re.compile(r"\b(bomb\w*|explosi\w+|blast|ied|suicide)\b")),
        (
            "heavy-weapons",
            re.compile(
                r"\b(shell\w*|artillery|rocket\w*|missile\w*|air ?strikes?|air raids?|tanks?"
                r"|mortar\w*)\b"
            ),
        ),
        ("firearms", re.compile(r"\b(shot|shoot\w*|gun\w*|fire[ds]?|rifle\w*|sniper\w*)\b")),
        ("assassinate", re.compile(r"\bassassinat\w+\b")),
        ("torture", re.compile(r"\btortur\w+\b")),
    ),
    "PROTEST": (
        ("strike-hun", re.compile(r"\bhunger strike\b")),
        ("strike", re.compile(r"\bstrikes?\b")),
        ("obstruct", re.compile(r"\b(block\w*|blockade\w*|barricad\w+|sit-in|occup\w+)\b")),
        ("demo", re.compile(r"\b(demonstrat\w+|rall\w+|march\w*|protest\w*)\b")),
    ),
    "COERCE": (
        ("arrest", re.compile(r"\b(arrest\w*|detain\w*|jail\w*|imprison\w*)\b")),
        ("censor", re.compile(r"\b(censor\w*|ban\w* (the )?(newspaper|publication|broadcast))\b")),
        ("curfew", re.compile(r"\bcurfews?\b")),
        ("martial-law", re.compile(r"\b(martial law|state of emergency)\b")),
        ("deport", re.compile(r"\b(deport\w*|expel\w*)\b")),
    ),
    "SANCTION": (
        ("embargo", re.compile(r"\b(embargo\w*|blockade)\b")),
        ("relations", re.compile(r"\b(diplomatic (ties|relations)|ambassador|embassy)\b")),
        ("aid", re.compile(r"\b(aid|assistance)\b")),
    ),
    "AID": (
        ("humanitarian", re.compile(r"\b(food|humanitarian|relief|medical|refugees?)\b")),
        ("military", re.compile(r"\b(weapons|arms|troops|military)\b")),
        ("economic", re.compile(r"\b(loan|credit|fund\w*|grant|\$|dollars?|euros?)\b")),
    ),
    "MOBILIZE": (
        ("troops", re.compile(r"\b(troops|soldiers|forces|army)\b")),
        ("alert", re.compile(r"\balert\b")),
    ),
}


def mode_of(event_type: str, sentence: Span | str) -> str | None:
    """The PLOVER mode the sentence's words mark for this type, if any."""
    text = sentence if isinstance(sentence, str) else sentence.text
    lowered = text.lower()
    for mode, pattern in _MODES.get(event_type, ()):
        if pattern.search(lowered):
            return mode
    return None


# ---- contexts ---------------------------------------------------------------------------------

# PLOVER's contexts (the codebook's list, abridged), each with words that mark it.
_CONTEXTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "military",
        re.compile(
            r"\b(military|troops?|army|navy|soldiers?|defen[cs]e|missiles?|weapons|forces)\b"
        ),
    ),
    (
        "diplomatic",
        re.compile(
            r"\b(diplomat\w*|foreign minist\w+|embass\w+|ambassador\w*|talks|summit"
            r"|secretary of state)\b"
        ),
    ),
    (
        "economic",
        re.compile(r"\b(trade|econom\w+|tariffs?|exports?|imports?|investment|debt|markets?)\b"),
    ),
    ("legal", re.compile(r"\b(court|judge|trial|law|legal|prosecut\w+|charges?|investigat\w+)\b")),
    ("election", re.compile(r"\b(elections?|ballots?|vote|voters|polls?|candidates?)\b")),
    ("terrorism", re.compile(r"\b(terror\w*|suicide bomb\w*|militants?)\b")),
    ("refugees", re.compile(r"\b(refugees?|asylum|displaced|migrants?)\b")),
    ("rights", re.compile(r"\b(human rights|rights group|freedoms?|torture)\b")),
    ("cbrn", re.compile(r"\b(nuclear|chemical|biological|radiological)\b")),
    ("resource", re.compile(r"\b(oil|gas|water|fisheries|fishing|land)\b")),
)
# Named topics that people filter on; matched as written (case-insensitive).
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("South China Sea", re.compile(r"\bsouth china sea\b", re.IGNORECASE)),
    ("East China Sea", re.compile(r"\beast china sea\b", re.IGNORECASE)),
    ("Taiwan Strait", re.compile(r"\btaiwan strait\b", re.IGNORECASE)),
    (
        "North Korea missiles",
        re.compile(
            r"\bnorth korea\w*\b.*\b(missiles?|nuclear)\b|\b(missiles?|nuclear)\b.*\bnorth korea",
            re.IGNORECASE,
        ),
    ),
    ("Xinjiang human rights", re.compile(r"\bxinjiang\b|\buy[g]?hurs?\b", re.IGNORECASE)),
    ("Hong Kong", re.compile(r"\bhong kong\b", re.IGNORECASE)),
)


def contexts_of(text: str) -> tuple[str, ...]:
    """PLOVER contexts and named topics of a sentence, in the order listed above."""
    lowered = text.lower()
    found = [name for name, pattern in _CONTEXTS if pattern.search(lowered)]
    found += [name for name, pattern in _TOPICS if pattern.search(text)]
    return tuple(found)
