"""Actors and recipients of an event, and their countries, from spaCy's parse around a trigger.

Actors are the trigger's subject (with its conjuncts and appositions; "Syria says it will" is
Syria) and, at a meeting, whoever was there ("in the presence of X"); recipients are its object,
its "with/against/to/between" phrase or, for an event noun, its "of" phrase ("the blockade of
Serbia"). A proposal answered stands for its proposer ("rejected calls by Belarus"), a part of a
group for the group ("scores of refugees"). "They", "the two" and "the three parties" stand for
the latest earlier group of their count; "the two nations" for its countries.

An actor's country comes from its own words (names, demonyms, capitals, seats of government,
well-known organisations: tasks.organisations), then from an earlier mention, then, for a doer
named without one (a president, a judge, a crowd), from the one country the sentence names or
the event's place; not for a meeting's party, whom neither the meeting's place nor another
party's country makes a citizen. International bodies have none. Ethnic groups belong to the
country they live in ("the Albanians of southern Serbia"), not to the state their name recalls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import pycountry
from spacy.tokens import Span, Token

from schemas.records import EventActor
from tasks.event_countries import (
    is_ethnic_group,
    is_possessive,
    only_locates,
    reporter_of,
    residence_country,
    sentence_countries,
)
from tasks.nlp import PRONOUNS, Discourse, canonical_name, entity_of, words
from tasks.organisations import home_country, is_international
from tasks.places import (
    Place,
    capital_country_code,
    country_code,
    demonym_code,
    government_country_code,
)

# Types whose parties act together: a meeting, an agreement, joint work.
RECIPROCAL = frozenset({"CONSULT", "AGREE", "COOPERATE"})
# The sector of an intergovernmental or international body (CAMEO's IGO and NGO).
_INTERNATIONAL = "international"
# Verbs whose object is a topic, not a participant ("discussed China").
TOPIC_VERBS = words("discuss negotiate debate consider")
_RECIPIENT_PREPOSITIONS = {
    "against",
    "on",
    "to",
    "with",
    "at",
    "toward",
    "towards",
    "from",
    "between",  # "mediated between X and Y", "a meeting between X and Y"
}
# Words for a part of a group: "scores of refugees", "one third of the guerrillas".
_PARTITIVES = words(
    """score dozen hundred thousand million third half quarter part majority minority some many
    most several number one two three"""
)
# Prepositions that say where ("in Japan", "at the Kremlin").
LOCATIVE_PREPOSITIONS = frozenset({"in", "at", "inside", "near"})
# Phrases that name who was present at an event beside its subject.
_COMPANION_PREPOSITIONS = frozenset({"alongside"})
_PRESENCE_NOUNS = words("presence company")
_ACCOMPANYING_VERBS = words("accompany join flank")
_PARTY_ENTITIES = frozenset({"ORG", "GPE", "NORP", "PERSON"})
# Nouns for what one party puts to another: rejecting or accepting one answers its proposer
# ("rejected calls by Belarus", "conceded to demands from the rebels").
_PROPOSAL_NOUNS = words(
    "call offer appeal invitation proposal plan demand request initiative bid overture ultimatum"
)
_NOT_ACTOR_ENTITIES = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LAW", "LANGUAGE"}
)
_GROUP_WORDS = re.compile(r"^(the )?(two|three|four|both|all)( \w+)?$", re.IGNORECASE)
# How many a group reference counts ("all" and "they" take any group).
_GROUP_SIZES = {"two": 2, "both": 2, "three": 3, "four": 4}
# "the two nations" counts countries, not the envoys who spoke for them.
_COUNTRY_NOUNS = words("nation country state government")
# How far back (in characters) "they" or "the two" may reach for their group.
_GROUP_WINDOW = 1500
_PERSONLIKE_NOUNS = words(
    """counterpart official minister leader president government troop force soldier police
    protester demonstrator rebel militant delegation diplomat ambassador party country nation
    activist student worker civilian army navy authority people chief member group refugee
    inspector guerrilla fighter militia insurgent cabinet parliament court council regime
    officer guard commander envoy negotiator mediator observer peacekeeper prisoner detainee
    hostage journalist reporter villager resident settler citizen national migrant fisherman
    sailor crew pilot bomber gunman hacker opposition union movement faction coalition
    organisation organization agency administration ministry lawmaker legislator"""
)
_MILITARY = re.compile(
    r"\b(gen\.?|general|admiral|adm\.|army|navy|air force|marines?|military|troops?|soldiers?|"
    r"forces|chiefs? of staff|joint staff|commander|colonel|militar\w+)\b",
    re.IGNORECASE,
)
_GOVERNMENT = re.compile(
    r"\b(minister|secretary|president|government|ministry|department|prime|ambassador|senator|"
    r"governor|parliament|mayor|king|queen|chancellor|premier|official|administration|state|"
    r"foreign|cabinet|diplomat\w*|embassy|white house|kremlin)\b",
    re.IGNORECASE,
)
_SECTOR_WORDS = (
    ("police", re.compile(r"\bpolice\b", re.IGNORECASE)),
    ("rebels", re.compile(r"\b(rebels?|insurgents?|militants?|guerrillas?)\b", re.IGNORECASE)),
    (
        "civilian",
        re.compile(
            r"\b(protesters?|demonstrators?|activists?|civilians?|students?)\b", re.IGNORECASE
        ),
    ),
    (
        "business",
        re.compile(r"\b(company|companies|firm|bank|ceo|corporation|business)\b", re.IGNORECASE),
    ),
)


@dataclass(frozen=True)
class Trigger:
    """The words an event hangs on, and its PLOVER type before modality is weighed."""

    event_type: str
    head: Token  # the verb (or light verb) the event hangs on
    span: Span  # the words shown as the trigger
    noun: Token | None = None  # the event noun of a light-verb trigger


@dataclass(frozen=True)
class Group:
    """Two or more actors of one event, and where their sentence ends."""

    actors: tuple[EventActor, ...]
    end: int


@dataclass
class Memory:
    """What earlier sentences said: actors' countries and the groups of actors, in order."""

    known: dict[str, tuple[str | None, str | None]]  # actor name → (country code, sector)
    groups: list[Group] = field(default_factory=list)
    referring: set[int] = field(default_factory=set)  # triggers whose actors are "they", "the two"

    def remember_group(self, actors: tuple[EventActor, ...], end: int) -> None:
        self.groups.append(Group(actors, end))


@dataclass(frozen=True)
class Scene:
    """What an actor's country may come from besides its own words: earlier mentions, the
    sentence's other countries and the event's place."""

    discourse: Discourse
    memory: Memory
    sentence: Span
    place: Place | None
    trigger: Token
    shared: bool = False  # a meeting, agreement or joint act: its parties may come from afar
    party_words: frozenset[int] = frozenset()  # of a shared event, every party's own words


def actors_of(
    trigger: Trigger, scene: Scene, reciprocal: bool
) -> tuple[tuple[EventActor, ...], bool]:
    """The actors and recipients, and whether the target is an international body (not one
    merely addressed: "complained to the UN about X" still targets X)."""
    verb = trigger.head
    passive = any(child.dep_ == "nsubjpass" for child in verb.children) and trigger.noun is None
    subjects = subjects_of(verb)
    actor_heads = [] if passive else subjects
    recipient_heads = list(subjects) if passive else []
    if passive:
        actor_heads = [
            obj
            for child in verb.children
            if child.dep_ == "agent"
            for obj in child.children
            if obj.dep_ == "pobj"
        ]
    addressed: set[int] = set()
    for head, preposition in _objects(trigger):
        if preposition == "with" and reciprocal:
            actor_heads.append(head)
        elif preposition is None and trigger.head.lemma_.lower() in TOPIC_VERBS:
            continue
        elif _is_participant(head):
            recipient_heads.append(head)
            if preposition == "to":
                addressed.add(head.i)
    if reciprocal:
        actor_heads = [*actor_heads, *companions_of(trigger)]
    parties = {
        role: _with_conjuncts([_partitive_whole(h) for h in heads])
        for role, heads in (("actor", actor_heads), ("recipient", recipient_heads))
    }
    if reciprocal:
        words_of = {
            t.i for heads in parties.values() for h in heads for t in _descriptor_tokens(h, h)
        }
        scene = replace(scene, shared=True, party_words=frozenset(words_of))
    actors: list[EventActor] = []
    international_target = False
    for role, heads in parties.items():
        for head in heads:
            if head.lower_ in PRONOUNS or _is_group_reference(head):
                scene.memory.referring.add(trigger.span.start_char)
            found = _resolve_actor(head, role, scene)
            international_target |= (
                role == "recipient"
                and head.i not in addressed
                and any(a.sector == _INTERNATIONAL for a in found)
            )
            actors.extend(found)
    return _unique(actors), international_target


def companions_of(trigger: Trigger) -> list[Token]:
    """Who takes part beside the subject: "met in the presence of X", "signed alongside X",
    "held talks, accompanied by X". At a meeting or a signing, being there is taking part."""
    found: list[Token] = []
    for owner in (trigger.head, trigger.noun):
        for child in owner.children if owner is not None else ():
            if child.dep_ == "prep" and child.lower_ in _COMPANION_PREPOSITIONS:
                found.extend(_prepositional_objects(owner, child.lower_))
            elif child.dep_ == "prep" and child.lower_ == "in":
                found.extend(
                    party
                    for noun in child.children
                    if is_presence_noun(noun)
                    for party in _present_parties(noun)
                )
            elif child.dep_ in ("advcl", "acl") and child.lemma_.lower() in _ACCOMPANYING_VERBS:
                found.extend(
                    obj
                    for agent in child.children
                    if agent.dep_ == "agent"
                    for obj in agent.children
                    if obj.dep_ == "pobj"
                )
    return list({token.i: token for token in found}.values())


def _present_parties(noun: Token) -> list[Token]:
    """ "the presence of X, and Y": the objects of "of", and a name the parser hung on the noun
    itself as an apposition."""
    found = _prepositional_objects(noun, "of")
    return found + [c for c in noun.children if c.dep_ == "appos" and _is_participant(c)]


def is_presence_noun(noun: Token) -> bool:
    """ "(in) the presence of", "(in) the company of": the noun whose "of" names who was there."""
    return noun.dep_ == "pobj" and noun.lemma_.lower() in _PRESENCE_NOUNS


def _partitive_whole(head: Token) -> Token:
    """ "scores of refugees", "one third of the guerrillas": the part stands for the whole."""
    if not (
        head.lemma_.lower() in _PARTITIVES or head.pos_ == "NUM" or head.ent_type_ == "CARDINAL"
    ):
        return head
    wholes = _prepositional_objects(head, "of")
    return wholes[0] if wholes else head


def _prepositional_objects(head: Token, *prepositions: str) -> list[Token]:
    """The objects of `head`'s prepositions among `prepositions` ("the blockade [of] Serbia")."""
    return [
        obj
        for child in head.children
        if child.dep_ == "prep" and child.lower_ in prepositions
        for obj in child.children
        if obj.dep_ == "pobj"
    ]


def _unique(actors: list[EventActor]) -> tuple[EventActor, ...]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for actor in actors:
        if (actor.name, actor.role) not in seen:
            seen.add((actor.name, actor.role))
            unique.append(actor)
    return tuple(unique)


def subjects_of(verb: Token) -> list[Token]:
    """Subjects of a verb, inherited through conjoined, xcomp and relative-clause verbs."""
    node = verb
    for _ in range(4):
        found = [_clause_subject(c) for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if found:
            if found[0].tag_ in ("WDT", "WP") and node.dep_ == "relcl":
                return [node.head]  # "behaviour that has threatened": the noun the clause describes
            return found
        if node.dep_ == "relcl":
            return [node.head]
        if node.dep_ in ("conj", "xcomp", "advcl", "acomp") and node.head.i != node.i:
            node = node.head
        else:
            break
    return []


def _clause_subject(subject: Token) -> Token:
    """ "The Red Cross operating in Iraq said", parsed with "operating" as the subject: the
    subject is the one who operates."""
    if subject.pos_ != "VERB":
        return subject
    inner = [c for c in subject.children if c.dep_ in ("nsubj", "nsubjpass")]
    return inner[0] if inner else subject


def _objects(trigger: Trigger) -> list[tuple[Token, str | None]]:
    """(head, preposition) of each object of the trigger verb or its event noun, and of a verb it
    governs: "threatened to cut off electricity to X", "agreed to lift embargoes on X"."""
    found: list[tuple[Token, str | None]] = []
    complements = [c for c in trigger.head.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
    if trigger.event_type == "REQUEST":  # "demanded that the US cancel", "said X must leave"
        demanded = [c for c in trigger.head.children if c.dep_ == "ccomp" and c.i > trigger.head.i]
        found.extend(
            (subject, None)
            for clause in demanded
            for subject in clause.children
            if subject.dep_ in ("nsubj", "nsubjpass")
        )
    for owner in (trigger.head, trigger.noun, *complements):
        if owner is None:
            continue
        for child in owner.children:
            if child.dep_ in ("dobj", "dative") and (
                trigger.noun is None or child.i != trigger.noun.i
            ):
                found.extend((party, None) for party in _parties_behind(child))
            elif child.dep_ == "prep" and _names_recipient(child, owner, trigger):
                found.extend(
                    (party, child.lower_)
                    for obj in child.children
                    if obj.dep_ == "pobj"
                    for party in _parties_behind(obj)
                )
    return found


def _names_recipient(preposition: Token, owner: Token, trigger: Trigger) -> bool:
    """ "sanctions against X", "talks with X"; and the "of X" of an event noun, its patient
    ("the blockade of Serbia", "the invasion of Kuwait"), unless the event is shared."""
    if preposition.lower_ in _RECIPIENT_PREPOSITIONS:
        return True
    return (
        preposition.lower_ == "of"
        and trigger.noun is not None
        and owner.i == trigger.noun.i
        and trigger.event_type not in RECIPROCAL
    )


def _parties_behind(noun: Token) -> list[Token]:
    """Who stands behind what the trigger answers: "calls by Belarus's rulers", "an offer from
    Kabul", "a United Nations appeal", "war crimes by extremists"; a party stands for itself."""
    noun = _partitive_whole(noun)
    if noun.lemma_.lower() not in _PROPOSAL_NOUNS:
        if _is_participant(noun):
            return [noun]
        return _prepositional_objects(noun, "by") or [noun]
    parties = _prepositional_objects(noun, "by", "from")
    for child in noun.children:
        if child.dep_ in ("poss", "compound", "amod") and child.ent_type_ in _PARTY_ENTITIES:
            parties.append(child)
    return [party for party in parties if party.lower_ not in PRONOUNS]


def _with_conjuncts(heads: list[Token]) -> list[Token]:
    result: list[Token] = []
    for head in heads:
        stack = [head]
        while stack:
            token = stack.pop(0)
            if all(token.i != seen.i for seen in result):
                result.append(token)
            stack.extend(c for c in token.children if c.dep_ == "conj")
    return result


def _is_participant(token: Token) -> bool:
    """Objects that can be actors: named things, pronouns, people and institutions."""
    if token.ent_type_ in _NOT_ACTOR_ENTITIES:
        return False
    if token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if token.pos_ == "PROPN" or token.lower_ in PRONOUNS:
        return True
    if token.lemma_.lower() in _PERSONLIKE_NOUNS:
        return True
    # "Hezbollah guerrillas", "Israel's Cabinet", "Syrian troops": a group named by its modifier
    return token.pos_ == "NOUN" and any(
        child.dep_ in ("compound", "amod", "poss", "nmod")
        and child.ent_type_ in ("ORG", "GPE", "NORP", "PERSON")
        for child in token.children
    )


def _resolve_actor(head: Token, role: str, scene: Scene) -> list[EventActor]:
    """One or more actors for a mention: pronouns and "the two" resolve to earlier mentions, and
    "his South Korean and US counterparts" becomes one actor per country."""
    if head.lower_ in PRONOUNS or _is_group_reference(head):
        return _resolve_reference(head, role, scene)
    if head.pos_ in ("NOUN", "PRON") and head.lower_ not in PRONOUNS:
        # "China's behaviour": the possessor acts
        owners = [c for c in head.children if c.dep_ == "poss" and c.ent_type_]
        if owners:
            head = owners[0]
    person = _named_apposition(head)
    named = person or head
    if named.pos_ not in ("PROPN",) and not named.ent_type_ and not _is_participant(named):
        return []
    split = _split_by_country(named, role)
    if split:
        return split
    memory = scene.memory
    name = scene.discourse.full_name(canonical_name(named))
    known = memory.known.get(name, (None, None))
    description = " ".join(t.text for t in _descriptor_tokens(named, head))
    code = (
        residence_country(named)
        if is_ethnic_group(named)
        else country_code(name)
        or government_country_code(name)
        or home_country(name)
        or _actor_country(named, head)
    )
    if code is None and is_international(f"{name} {description}"):
        # "UN peacekeepers", "Kofi Annan, UN secretary-general": no country to guess
        return [EventActor(name=name, role=role, country_code=None, sector=_INTERNATIONAL)]
    code = code or home_country(description) or known[0]
    sector = _sector(named, head) or known[1]
    memory.known[name] = (code, sector)  # not the guess below: it holds for this sentence only
    if code is None and role == "actor":
        code = _owner_country(head, scene) or _country_from_scene(named, head, scene)
    return [EventActor(name=name, role=role, country_code=code, sector=sector)]


def _owner_country(head: Token, scene: Scene) -> str | None:
    """ "Bosnian Serbs said their forces had withdrawn": the forces are the speaker's."""
    owner = next((c for c in head.children if is_possessive(c)), None)
    reporter = reporter_of(owner) if owner is not None else None
    if reporter is None:
        return None
    found = _resolve_actor(reporter, "actor", scene)
    return found[0].country_code if found else None


def _country_from_scene(named: Token, head: Token, scene: Scene) -> str | None:
    """A doer named without its country (a president, a judge, a party, a crowd) acts, in news
    about one country, in that country: the one country the sentence names outside the doer's
    own words, else the country of the event's place. Not so for a meeting's parties: where
    they met says nothing of where they come from."""
    own = {t.i for t in _descriptor_tokens(named, head)}
    # the attribution counts here: "the White House said" tells whose president acted
    codes = {
        code
        for start, code in sentence_countries(scene.sentence)
        if start not in own and not (scene.shared and _elsewhere(scene.sentence.doc[start], scene))
    }
    if len(codes) == 1:
        return codes.pop()
    if scene.shared:
        return None  # parties travel to meet: "met in Tokyo" makes no one Japanese
    return scene.place.country_code if scene.place is not None else None


def _elsewhere(token: Token, scene: Scene) -> bool:
    """Whether a country word of a meeting's sentence belongs to its place ("met in Tokyo") or to
    another party ("met US envoy Smith"): neither makes the remaining parties its citizens."""
    return token.i in scene.party_words or _is_locative(token)


def _is_locative(token: Token) -> bool:
    """ "in Japan", "at the Kremlin": the token names where, after a place preposition."""
    head = token.head
    while token.dep_ == "compound" and head.i != token.i:  # "in [South] Korea"
        token, head = head, head.head
    return token.dep_ == "pobj" and head.lower_ in LOCATIVE_PREPOSITIONS


def _is_group_reference(head: Token) -> bool:
    """ "the two", "both sides", "the three parties": a group named earlier."""
    if head.pos_ not in ("NUM", "NOUN", "PRON", "DET"):
        return False
    return bool(_GROUP_WORDS.match(head.doc[head.left_edge.i : head.i + 1].text))


def _resolve_reference(head: Token, role: str, scene: Scene) -> list[EventActor]:
    reporter = reporter_of(head) if head.lower_ in PRONOUNS else None
    if reporter is not None:  # "Syria says it is willing": the speaker
        return _resolve_actor(reporter, role, scene)
    discourse, memory = scene.discourse, scene.memory
    if head.lower_ in ("he", "she", "him", "her", "it"):
        mention = discourse.resolve_pronoun(head)
        if mention is None:
            return []
        code, sector = memory.known.get(mention.name, (None, None))
        # "Japan said it had halted aid": "it" is the country itself
        code = code or country_code(mention.name) or capital_country_code(mention.name)
        return [EventActor(name=mention.name, role=role, country_code=code, sector=sector)]
    return [actor.model_copy(update={"role": role}) for actor in _referred_group(head, memory)]


def _referred_group(head: Token, memory: Memory) -> tuple[EventActor, ...]:
    """The latest earlier group a reference fits: "they" any, "the two" or "both" a group of two,
    "the three parties" one of three; "the two nations" the latest group from two countries,
    as those countries (not their four envoys)."""
    recent = [g for g in reversed(memory.groups) if head.idx - g.end < _GROUP_WINDOW]
    phrase = head.doc[head.left_edge.i : head.i + 1]
    size = next((_GROUP_SIZES[t.lower_] for t in phrase if t.lower_ in _GROUP_SIZES), None)
    if head.lemma_.lower() in _COUNTRY_NOUNS:
        for group in recent:
            codes = list(dict.fromkeys(a.country_code for a in group.actors if a.country_code))
            if codes and (size is None or len(codes) == size):
                return _as_countries(group.actors, codes)
        return ()
    fitting = [g for g in recent if size is None or len(g.actors) == size]
    return fitting[0].actors if fitting else ()


def _as_countries(actors: tuple[EventActor, ...], codes: list[str]) -> tuple[EventActor, ...]:
    """The countries of a group, each as the group named it when it was a country ("Japan and
    the US"), else as the country's name."""
    found = []
    for code in codes:
        same = [a for a in actors if a.country_code == code]
        named = next((a for a in same if country_code(a.name) == code), None)
        found.append(named or country_actor(code, "actor"))
    return tuple(found)


def country_actor(code: str, role: str) -> EventActor:
    """A country as an actor: "Japan", "United States"."""
    return EventActor(name=country_name(code), role=role, country_code=code, sector=None)


def country_name(code: str) -> str:
    """The country's name (pycountry's), or the code itself when pycountry has none."""
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country else code


def _named_apposition(head: Token) -> Token | None:
    """ "Chief of Japan's Joint Staff, Koji Yamazaki,": the person named beside a title."""
    if head.ent_type_ in ("PERSON", "ORG", "GPE"):
        return None
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ in ("PERSON", "ORG"):
            return child
    if head.dep_ == "appos" and head.head.ent_type_ == "PERSON":
        return head.head
    return None


def _descriptor_tokens(named: Token, head: Token) -> list[Token]:
    """The words that describe an actor: its phrase, appositions and the title it stands beside."""
    tokens: list[Token] = []
    for root in {named.i: named, head.i: head}.values():
        for token in root.subtree:
            if token.dep_ in ("conj", "cc", "relcl") and token.head.i == root.i:
                continue
            if _below_conjunct(token, root):
                continue
            tokens.append(token)
    return tokens


def _below_conjunct(token: Token, root: Token) -> bool:
    node = token
    while node.i != root.i and node.head.i != node.i:
        if node.dep_ in ("conj", "relcl", "acl") and node.head.i == root.i:
            return True
        node = node.head
    return False


def _actor_country(named: Token, head: Token) -> str | None:
    """The country an actor belongs to, from itself ("Japan", "Tokyo") or its description
    ("US Secretary of State", "chairman of South Korea's Joint Chiefs")."""
    entity = entity_of(named)
    if named.ent_type_ in ("GPE", "NORP") and entity is not None:
        return country_code(entity.text) or capital_country_code(entity.text)
    where = _whereabouts(named)
    tokens = [
        t
        for t in _descriptor_tokens(named, head)
        if not (_is_stance(t) or only_locates(t) or t.i in where)
    ]
    if entity is not None:  # the whole name: "National Union for the Independence of Angola"
        seen = {t.i for t in tokens}
        tokens = sorted([*tokens, *(t for t in entity if t.i not in seen)], key=lambda t: t.i)
    for token in tokens:
        if token.ent_type_ in ("GPE", "NORP"):
            entity = entity_of(token)
            if entity is not None and (
                code := country_code(entity.text) or capital_country_code(entity.text)
            ):
                return code
    for index, token in enumerate(tokens):  # names inside organisations: "the US Joint Chiefs"
        if code := _demonym_of_person_token(token):
            return code
        if token.ent_type_ == "PERSON" or not (
            token.pos_ in ("PROPN", "ADJ") and token.text[:1].isupper()
        ):
            continue
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        pair = f"{token.text} {nxt.text}" if nxt is not None and nxt.i == token.i + 1 else ""
        if pair and (code := country_code(pair) or government_country_code(pair)):
            return code
        if not _is_abbreviation(token) and (
            code := country_code(token.text) or government_country_code(token.text)
        ):
            return code
        if named.ent_type_ == "ORG" and (code := capital_country_code(token.text)):
            return code  # "Baghdad University", "the Tehran Times"
    return None


def _whereabouts(named: Token) -> set[int]:
    """ "Defense Secretary Austin in Japan": a place phrase after a person's name says where he
    was, not whose he is (a group's "police in Croatia" may well be Croatian: kept)."""
    if named.ent_type_ != "PERSON":
        return set()
    return {
        token.i
        for child in named.children
        if child.dep_ == "prep" and child.lower_ in LOCATIVE_PREPOSITIONS
        for token in child.subtree
    }


def _is_stance(token: Token) -> bool:
    """ "an anti-Syria journalist" is not Syrian: a country after anti- or pro- is a stance."""
    doc = token.doc
    return (
        token.i >= 2 and doc[token.i - 1].text == "-" and doc[token.i - 2].lower_ in ("anti", "pro")
    )


def _is_abbreviation(token: Token) -> bool:
    """ "Lt." or "Col." is a title, not Lithuania or Colombia: short words cut with a period,
    and two letters alone, are never taken for country codes (but US and UK are)."""
    bare = token.text.rstrip(".")
    if bare.upper() in ("US", "UK", "U.S", "U.K"):
        return False
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    cut = token.text.endswith(".") or (nxt is not None and nxt.text == ".")
    return len(bare) <= 2 or (cut and len(bare) <= 3)


def _demonym_of_person_token(token: Token) -> str | None:
    """ "Ugandan opposition candidates": the small model sometimes tags a demonym as a PERSON;
    a demonym that names no country by itself still gives the country."""
    if token.ent_type_ != "PERSON" or country_code(token.text) is None:
        return None
    return demonym_code(token.text)


def _split_by_country(head: Token, role: str) -> list[EventActor]:
    """ "his South Korean and US counterpart" → South Korean counterpart (KOR), US counterpart
    (USA)."""
    if head.pos_ != "NOUN":
        return []
    modifiers = [c for c in head.children if c.dep_ in ("amod", "compound", "nmod")]
    modifiers = _with_conjuncts(modifiers)
    named = []
    for modifier in modifiers:
        words = head.doc[modifier.left_edge.i : modifier.i + 1]
        words = [t for t in words if t.dep_ not in ("cc", "punct", "conj") or t.i == modifier.i]
        text = " ".join(t.text for t in words if t.i <= modifier.i and t.dep_ != "det")
        text = " ".join(w for w in text.split() if w[:1].isupper())
        code = country_code(text) if text else None
        if code:
            named.append(
                EventActor(
                    name=f"{text} {head.text}",
                    role=role,
                    country_code=code,
                    sector=_sector(head, head),
                )
            )
    return named if len(named) >= 2 else []


def _sector(named: Token, head: Token) -> str | None:
    words = " ".join(t.text for t in _descriptor_tokens(named, head))
    if named.ent_type_ == "GPE":
        return "government"
    if _MILITARY.search(words):
        return "military"
    if _GOVERNMENT.search(words):
        return "government"
    for sector, pattern in _SECTOR_WORDS:
        if pattern.search(words):
            return sector
    return None
