"""Pure scoring functions shared by the evaluation scripts: no file access, no NLP.

Claims (PolNeAR): BRAT standoff parsing, whitespace-token overlap matching, exact-span
normalisation, source correctness. Events (PLOVER): old type names, CAMEO country codes mapped to
ISO 3166-1 alpha-3, set scoring of (role, country) pairs. Precision, recall and F1 share one
dataclass; a ratio with a zero denominator is 0.0.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import pycountry

Span = tuple[int, int]

# A predicted content span matches a gold one when they share at least this share of the shorter
# span's whitespace tokens (PolNeAR scoring as the corpus README states it).
MIN_TOKEN_OVERLAP = 0.5


# ---------------------------------------------------------------------------------------------
# Precision, recall, F1


@dataclass(frozen=True)
class PRF:
    tp: int
    n_pred: int
    n_gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        # 2PR/(P+R) written on counts, so it is exact and needs no float comparison.
        total = self.n_pred + self.n_gold
        return 2 * self.tp / total if total else 0.0

    def as_dict(self, prefix: str) -> dict[str, float | int]:
        return {
            f"{prefix}_precision": round(self.precision, 4),
            f"{prefix}_recall": round(self.recall, 4),
            f"{prefix}_f1": round(self.f1, 4),
            f"{prefix}_tp": self.tp,
            f"{prefix}_pred": self.n_pred,
            f"{prefix}_gold": self.n_gold,
        }


T = TypeVar("T")


def set_prf(predicted: Iterable[T], gold: Iterable[T]) -> PRF:
    """Counts for one item (a sentence): sum several with `add_prf` to micro-average."""
    pred_set, gold_set = set(predicted), set(gold)
    return PRF(tp=len(pred_set & gold_set), n_pred=len(pred_set), n_gold=len(gold_set))


def add_prf(parts: Iterable[PRF]) -> PRF:
    tp = n_pred = n_gold = 0
    for part in parts:
        tp, n_pred, n_gold = tp + part.tp, n_pred + part.n_pred, n_gold + part.n_gold
    return PRF(tp=tp, n_pred=n_pred, n_gold=n_gold)


# ---------------------------------------------------------------------------------------------
# BRAT standoff (PolNeAR attributions)


@dataclass(frozen=True)
class TextBound:
    """A `T` line: an annotated span, possibly in several fragments."""

    id: str
    type: str
    fragments: tuple[Span, ...]
    text: str


@dataclass(frozen=True)
class GoldAttribution:
    """An `E` line with its arguments resolved to character fragments."""

    id: str
    kind: str
    content: tuple[Span, ...]
    source: tuple[Span, ...]
    cue: tuple[Span, ...]


def parse_fragments(offsets: str) -> tuple[Span, ...]:
    """BRAT offsets to fragments: `"89 106"` → ((89, 106),), `"1 4;6 9"` → ((1, 4), (6, 9))."""
    fragments = []
    for part in offsets.split(";"):
        start, end = part.split()
        fragments.append((int(start), int(end)))
    return tuple(fragments)


def parse_text_bound(line: str) -> TextBound:
    # Split on tabs first: the annotated text itself may contain ';' or spaces.
    tb_id, type_and_offsets, text = line.rstrip("\r\n").split("\t", 2)
    tb_type, offsets = type_and_offsets.split(" ", 1)
    return TextBound(id=tb_id, type=tb_type, fragments=parse_fragments(offsets), text=text)


def _event_role(argument: str) -> str:
    # BRAT numbers repeated roles: Content, Content2, ... all mean content.
    return argument.rstrip("0123456789")


def parse_attributions(ann: str) -> list[GoldAttribution]:
    """The attributions of one .ann file, in file order; those without a content span are dropped.

    Only `T` and `E` lines matter; notes, attributes and relations are ignored.
    """
    bounds: dict[str, TextBound] = {}
    event_lines: list[str] = []
    for line in ann.splitlines():
        if line.startswith("T"):
            bound = parse_text_bound(line)
            bounds[bound.id] = bound
        elif line.startswith("E"):
            event_lines.append(line)
    attributions = []
    for line in event_lines:
        event_id, arguments = line.split("\t")[:2]
        kind = ""
        roles: dict[str, list[Span]] = {"Content": [], "Source": [], "Cue": []}
        for argument in arguments.split():
            role, ref = argument.split(":", 1)
            role = _event_role(role)
            if ref not in bounds:
                continue
            if not kind:
                kind = role  # the trigger comes first: Attribution or Attribution-no-source
            if role in roles:
                roles[role].extend(bounds[ref].fragments)
        if roles["Content"]:
            attributions.append(
                GoldAttribution(
                    id=event_id,
                    kind=kind,
                    content=tuple(roles["Content"]),
                    source=tuple(roles["Source"]),
                    cue=tuple(roles["Cue"]),
                )
            )
    return attributions


def annotation_stem(ann_name: str) -> str:
    """`politico_..._righ_4b22.ann` → `politico_..._righ`: the .txt stem without the annotator."""
    stem = ann_name.removesuffix(".ann")
    return stem.rsplit("_", 1)[0]


# ---------------------------------------------------------------------------------------------
# Spans, tokens and matching


class TokenIndex:
    """Whitespace tokens of one text; turns character spans into sets of token numbers."""

    def __init__(self, text: str) -> None:
        spans = [match.span() for match in re.finditer(r"\S+", text)]
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def __len__(self) -> int:
        return len(self._starts)

    def tokens(self, fragments: Iterable[Span]) -> frozenset[int]:
        """Tokens that share at least one character with any fragment."""
        found: set[int] = set()
        for start, end in fragments:
            if end <= start:
                continue
            first = bisect_right(self._ends, start)  # first token ending after `start`
            stop = bisect_left(self._starts, end)  # first token starting at or after `end`
            found.update(range(first, stop))
        return frozenset(found)


def token_overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Shared tokens as a share of the shorter span; 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def match_by_overlap(
    predicted: Sequence[frozenset[int]],
    gold: Sequence[frozenset[int]],
    threshold: float = MIN_TOKEN_OVERLAP,
) -> list[tuple[int, int]]:
    """One-to-one greedy matching: (predicted index, gold index) pairs, best overlaps first.

    Candidates are pairs whose overlap reaches `threshold`; they are taken in order of overlap
    ratio, then number of shared tokens, then position, skipping pairs whose side is taken.
    """
    candidates = []
    for p, pred_tokens in enumerate(predicted):
        for g, gold_tokens in enumerate(gold):
            ratio = token_overlap(pred_tokens, gold_tokens)
            if ratio > 0 and ratio >= threshold:
                candidates.append((-ratio, -len(pred_tokens & gold_tokens), p, g))
    candidates.sort()
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, _, p, g in candidates:
        if p not in used_pred and g not in used_gold:
            used_pred.add(p)
            used_gold.add(g)
            pairs.append((p, g))
    return sorted(pairs)


def _is_trimmable(char: str) -> bool:
    # Unicode category P* covers ASCII punctuation, curly quotes, guillemets, dashes, ellipses.
    return char.isspace() or unicodedata.category(char).startswith("P")


def normalise_span(text: str, start: int, end: int) -> Span:
    """Trim whitespace and punctuation (quote marks included) from both ends of text[start:end]."""
    while start < end and _is_trimmable(text[start]):
        start += 1
    while end > start and _is_trimmable(text[end - 1]):
        end -= 1
    return (start, end)


def hull(fragments: Iterable[Span]) -> Span:
    """The smallest single span covering every fragment (for discontinuous gold spans)."""
    fragments = list(fragments)
    return (min(start for start, _ in fragments), max(end for _, end in fragments))


def count_exact(predicted: Iterable[Span], gold: Iterable[Span]) -> int:
    """How many spans pair up one-to-one with an identical span (multiset intersection)."""
    return sum((Counter(predicted) & Counter(gold)).values())


def is_quoted(text: str, fragments: Iterable[Span]) -> bool:
    """Whether the span opens with a quotation mark: how gold direct quotes are recognised."""
    start, end = normalise_span_whitespace(text, *hull(fragments))
    if start >= end:
        return False
    first = text[start]
    # Pi/Pf: typographic opening and closing quotes; '"' is the only ASCII quote taken, since an
    # initial "'" is as often an apostrophe ('90s).
    return first == '"' or unicodedata.category(first) in ("Pi", "Pf")


def normalise_span_whitespace(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)


def spans_overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def source_correct(predicted: Span | None, gold: Sequence[Span]) -> bool:
    """A gold source needs an overlapping predicted source; no gold source needs none predicted.

    A predicted source named without offsets should be passed as an empty span such as (0, 0):
    it counts as "a source was predicted" but overlaps nothing.
    """
    if not gold:
        return predicted is None
    return predicted is not None and any(spans_overlap(predicted, span) for span in gold)


# ---------------------------------------------------------------------------------------------
# PLOVER events

# Names from older PLOVER drafts used by the gold-standard records, mapped to current types.
PLOVER_ALIASES: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "INVESTIGATE": "ACCUSE",
}

# CAMEO country codes that are not ISO 3166-1 alpha-3 codes of the same country (seen in the
# PLOVER records or in the CAMEO manual). Everything else goes through pycountry.
CAMEO_COUNTRY_ALIASES: dict[str, str] = {
    "JAP": "JPN",
    "ITL": "ITA",
    "VTN": "VNM",
    "ROM": "ROU",
}


def normalise_event_type(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    upper = name.strip().upper()
    return PLOVER_ALIASES.get(upper, upper)


@lru_cache(maxsize=1024)
def cameo_to_iso(code: str | None) -> str | None:
    """ISO alpha-3 for a CAMEO actor code, or None for group codes (IGO, NGO, IMG, REB, ...).

    Only the first three letters count (`USAGOV` is the USA). Withdrawn ISO codes (ZAR, TMP, BUR)
    map to their successor through the ISO 3166-3 alpha-4 code, whose last two letters are the
    successor's alpha-2 code.
    """
    if not code:
        return None
    prefix = code.strip().upper()[:3]
    if len(prefix) != 3 or not prefix.isalpha():
        return None
    if prefix in CAMEO_COUNTRY_ALIASES:
        return CAMEO_COUNTRY_ALIASES[prefix]
    if pycountry.countries.get(alpha_3=prefix) is not None:
        return prefix
    historic = pycountry.historic_countries.get(alpha_3=prefix)
    if historic is not None:
        successor = pycountry.countries.get(alpha_2=historic.alpha_4[2:])
        return successor.alpha_3 if successor is not None else None
    return None


def _actor_list(value: Any) -> list[Mapping[str, Any]]:
    # `target` is a list, an empty string, or missing.
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def is_reciprocal(record: Mapping[str, Any]) -> bool:
    """Both sides act on each other: same source and target list, or SRC/TAR in the markup."""
    source, target = _actor_list(record.get("source")), _actor_list(record.get("target"))
    if source and source == target:
        return True
    markup = (record.get("textInfo") or {}).get("markup", "")
    return "SRC/TAR" in markup


def gold_role_countries(record: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(role, ISO country) pairs: source → actor, target → recipient; reciprocal → actors only."""
    pairs = set()
    for actor in _actor_list(record.get("source")):
        country = cameo_to_iso(actor.get("code"))
        if country:
            pairs.add(("actor", country))
    if not is_reciprocal(record):
        for actor in _actor_list(record.get("target")):
            country = cameo_to_iso(actor.get("code"))
            if country:
                pairs.add(("recipient", country))
    return pairs


class HasConfidence(Protocol):
    @property
    def confidence(self) -> float: ...


E = TypeVar("E", bound=HasConfidence)


def main_event(events: Sequence[E]) -> E | None:
    """The most confident event; the first one wins a tie."""
    return max(events, key=lambda event: event.confidence, default=None)


NO_PREDICTION = "NONE"


def confusion_summary(pairs: Iterable[tuple[str, str]], top: int = 3) -> list[str]:
    """One line per gold type: count, accuracy and the most frequent wrong predictions."""
    by_gold: dict[str, Counter[str]] = {}
    for gold, predicted in pairs:
        by_gold.setdefault(gold, Counter())[predicted] += 1
    lines = []
    for gold in sorted(by_gold):
        counts = by_gold[gold]
        total = sum(counts.values())
        correct = counts.get(gold, 0)
        wrong = [(label, n) for label, n in counts.most_common() if label != gold][:top]
        wrong_text = ", ".join(f"{label} {n}" for label, n in wrong) or "-"
        lines.append(
            f"{gold:<10} n={total:<3} correct={correct:<3} acc={correct / total:.2f}  "
            f"mistaken for: {wrong_text}"
        )
    return lines


def fold_reciprocal(pairs: Iterable[tuple[str, str]], reciprocal: bool) -> set[tuple[str, str]]:
    """In a reciprocal sentence both sides are gold actors, so a predicted recipient is an actor."""
    if not reciprocal:
        return set(pairs)
    return {("actor", country) for _, country in pairs}
