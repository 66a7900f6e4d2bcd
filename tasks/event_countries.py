"""Countries a sentence names as possible participants of its event, and who a reported clause's
pronoun stands for.

Not every country a sentence names takes part in its event. News attributes ("Thai military
sources said", "according to Iraqi officials"), locates ("near the Thai border"), quotes money
("US $50 million") and describes stances ("an anti-Syria journalist"); none of these names a party.
A pronoun in a reported clause ("Syria says it will withdraw", "rebel leaders said they would
meet") is, in news English, the one who reports.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from tasks.nlp import PRONOUNS, entity_of, ents_in, words
from tasks.places import (
    capital_country_code,
    country_code,
    country_name_code,
    demonym_code,
    government_country_code,
)

# Verbs that report a statement: "X said", "officials announced", "the forum concluded".
REPORTING_VERBS = words(
    "say announce declare state conclude reiterate insist tell add report confirm claim quote"
)
# Nouns a country word only locates: "the Thai border", "Israel's frontier", "the South China seas".
_LOCATING_NOUNS = words("border frontier boundary waters airspace sea ocean strait gulf bay")
_STANCE_PREFIXES = frozenset({"anti", "pro"})
_COMPASS = words("north south east west northern southern eastern western central")
_CONDITIONS = frozenset({"if", "unless"})
_SUBORDINATORS = words(
    "if unless when whenever as after before while until because since though although"
)
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
_THING_PRONOUNS = frozenset({"it", "its"})
_POSSESSIVES = frozenset({"his", "her", "its", "their"})
_CLAUSE_LINKS = frozenset({"ccomp", "xcomp", "acomp", "conj", "pcomp", "advcl", "prep"})


def sentence_countries(
    sentence: Span, trigger: Token | None = None, *, threat: bool = False
) -> list[tuple[int, str]]:
    """(token index, alpha-3) of each country the sentence names as a possible party: names,
    demonyms, capitals and seats of government, less those that locate, price or qualify. With
    a trigger, those of a closing attribution and of a subordinate clause are left out too,
    except, for a threat, its condition ("threatened to leave if the US deploys")."""
    attribution = _background_tokens(sentence, trigger, threat) if trigger is not None else set()
    found = []
    for ent in ents_in(sentence):
        code = _entity_country(ent)
        if code is None or ent.start in attribution or _not_a_party(ent):
            continue
        found.append((ent.start, code))
    return found


def _entity_country(ent: Span) -> str | None:
    if ent.label_ in ("GPE", "NORP"):
        return country_code(ent.text) or capital_country_code(ent.text)
    if ent.label_ == "LOC":  # "Cyprus" tagged as a location; seas and regions name none
        named = [t for t in ent if t.dep_ != "det"]
        compass = named[0].lower_ in _COMPASS and len(named) > 1  # "South China (Sea)"
        return country_name_code(ent.text) if compass else country_code(ent.text)
    if ent.label_ in ("PERSON", "ORG") and len(ent) == 1 and (code := demonym_code(ent.text)):
        return code  # "Ugandan" tagged as a person or an organisation
    if ent.label_ in ("ORG", "FAC"):
        return government_country_code(ent.text)
    return None


def _not_a_party(ent: Span) -> bool:
    doc = ent.doc
    after = doc[ent.end] if ent.end < len(doc) else None
    if after is not None and (after.text == "$" or after.ent_type_ == "MONEY"):
        return True  # "US $50 million"
    before = doc[ent.start - 2 : ent.start]
    if len(before) == 2 and before[1].text == "-" and before[0].lower_ in _STANCE_PREFIXES:
        return True  # "anti-Syria"
    if (ent.start > 0 and doc[ent.start - 1].lower_ == "ethnic") or is_ethnic_group(ent.root):
        return True  # "ethnic Albanians" are a people, not Albania
    return only_locates(ent.root)


def only_locates(token: Token) -> bool:
    """ "the Thai border", "Israel's frontier": the country word says where, not who."""
    return (
        token.dep_ in ("amod", "compound", "poss") and token.head.lemma_.lower() in _LOCATING_NOUNS
    )


def _background_tokens(sentence: Span, trigger: Token, threat: bool) -> set[int]:
    """Token indices of who a closing "X said" or an "according to X" attributes the sentence to
    (when the trigger is not the statement itself), and of the circumstances a subordinate clause
    states ("if war starts in Iraq", "as police in Croatia cracked down")."""
    tokens: set[int] = set()
    root = sentence.root
    if root.lemma_.lower() in REPORTING_VERBS and trigger.i != root.i:
        for child in root.children:
            if child.dep_ in ("nsubj", "nsubjpass") and trigger.i not in _indices(child):
                tokens |= _indices(child)
    for token in sentence:
        background = token.lower_ == "according" or _is_circumstance(token, threat)
        if background and trigger.i not in _indices(token):
            tokens |= _indices(token)
    return tokens


def _is_circumstance(token: Token, threat: bool) -> bool:
    subordinators = _SUBORDINATORS - _CONDITIONS if threat else _SUBORDINATORS
    return token.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in subordinators for c in token.children
    )


def is_ethnic_group(named: Token) -> bool:
    """ "ethnic Albanians", "the Albanians of southern Serbia": a people, not a state. PLOVER
    codes an ethnic group by the country it lives in, not by the state its name recalls."""
    if any(t.lower_ == "ethnic" for t in named.subtree if t.i < named.i):
        return True
    return (
        named.ent_type_ == "NORP"
        and named.tag_ in ("NNS", "NNPS")
        and bool(residence_country(named))
    )


def residence_country(named: Token) -> str | None:
    """The country in "X of/in <country>" or "X living/operating in <country>"."""
    for child in named.children:
        preps = [child] if child.dep_ == "prep" else []
        if child.dep_ == "acl":
            preps = [c for c in child.children if c.dep_ == "prep"]
        for prep in preps:
            if prep.lower_ not in ("of", "in"):
                continue
            for obj in prep.children:
                entity = entity_of(obj) if obj.dep_ == "pobj" else None
                if entity is not None and (code := country_code(entity.text)):
                    return code
    return None


def _indices(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def reporter_of(pronoun: Token) -> Token | None:
    """The subject of the reporting verb a pronoun's clause hangs on, when it comes first and can
    be the same party: "Syria says it is willing" → Syria; "Bosnian Serbs said their forces"."""
    node = pronoun
    for _ in range(3):  # from "their" in "their forces had completed" up to "completed"
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            break
        node = node.head
    for _ in range(5):
        if node.dep_ not in _CLAUSE_LINKS or node.head.i == node.i:
            return None
        node = node.head
        if node.lemma_.lower() in REPORTING_VERBS:
            subject = _subject_of(node)
            # "They agreed to X, the agency said": a pronoun before its attribution refers back
            if subject is None or subject.i > pronoun.i or not _agrees(pronoun, subject):
                return None
            return subject
    return None


def _subject_of(verb: Token) -> Token | None:
    """ "King Hassan was quoted as saying": the subject, climbing from "saying" to "quoted"."""
    node = verb
    for _ in range(3):
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
        if node.dep_ not in ("pcomp", "advcl", "xcomp", "conj", "prep") or node.head.i == node.i:
            return None
        node = node.head
    return None


def _agrees(pronoun: Token, subject: Token) -> bool:
    if subject.lower_ in PRONOUNS or subject.pos_ == "PRON":
        return False
    word = pronoun.lower_
    if word in _PERSON_PRONOUNS:
        return subject.ent_type_ not in ("GPE", "ORG", "NORP") and subject.tag_ not in (
            "NNS",
            "NNPS",
        )
    if word in _THING_PRONOUNS:
        return subject.ent_type_ != "PERSON" and subject.tag_ not in ("NNS", "NNPS")
    return True


def is_possessive(token: Token) -> bool:
    return token.dep_ == "poss" and token.lower_ in _POSSESSIVES
