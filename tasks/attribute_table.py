"""The model's attribute rules (POS, morphology, some lemmas), applied without a Matcher.

spaCy's AttributeRuler tries its 179 rules at every token through a Matcher: 30 microseconds a
token, a seventh of a worker's spaCy time (`bench/nlp_costs.py`). Nearly every rule of the English
models tests one token's tag and lowercase form for equality: those are looked up by the pair.
The others test a dependency label, whitespace, a set of values, a regular expression or two
neighbouring tokens: each of their tests is one comparison over a column of `doc.to_array`. All
rules then apply in the ruler's order, a later one overriding an earlier one as it does there,
so tokens come out exactly as the ruler leaves them (tests/tasks/test_attribute_table.py). A rule
of any other shape makes `AttributeTable` refuse to be built, and the pipeline keeps the ruler
(`tasks.nlp.load_nlp`).
"""

# No `from __future__ import annotations` in this module: spaCy (3.8.6) checks a factory's
# arguments against its annotations with pydantic, which cannot resolve them from strings.
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore
from spacy.tokens import Doc

# The token attributes a rule may test, and those it may set, as columns of `doc.to_array`.
_TESTED = {"LOWER": LOWER, "TAG": TAG, "DEP": DEP, "IS_SPACE": IS_SPACE}
_SET = (TAG, POS, MORPH, LEMMA, DEP)
_Test = Callable[[np.ndarray], np.ndarray]  # values of one attribute -> where the test holds
# One test of a pattern: (token offset in the pattern, attribute column, test, cost rank).
_Step = tuple[int, int, _Test, int]


class UnsupportedRule(ValueError):
    """A rule tests something other than what `_TESTED` names, in a way `_test` knows."""


@dataclass(frozen=True)
class _Rule:
    alternatives: tuple[tuple[int, tuple[_Step, ...]], ...]  # (width, tests) of each pattern
    index: int  # the token of a match the values go to (negative from the end)
    values: tuple[tuple[int, int], ...]  # (position in _SET, value to write)


class AttributeTable:
    """Does to a Doc what `ruler` does, by dict lookup and array operations, no Matcher."""

    def __init__(self, ruler: AttributeRuler) -> None:
        strings = ruler.vocab.strings
        rules = [
            _Rule(
                alternatives=tuple(_pattern_tests(p, strings) for p in entry["patterns"]),
                index=_index(entry),
                values=_values(values),
            )
            for entry, values in zip(ruler.patterns, ruler.attrs, strict=True)
        ]
        # Rules of one token's LOWER and TAG by equality, looked up by (lower, tag); the others
        # ("shaped") are tried on the whole Doc.
        self.rules = rules
        self.by_key: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
        self.shaped: list[int] = []
        for number, entry in enumerate(ruler.patterns):
            keys = [_table_key(pattern, strings) for pattern in entry["patterns"]]
            if None in keys:
                self.shaped.append(number)
            for key in set(keys) - {None}:
                self.by_key[key].append(number)
        # The few lowercase forms some rule names: any other word is looked up by its tag alone,
        # so the memo below stays as small as the rules, however many words a worker meets.
        self.named_words = {lower for lower, _ in self.by_key if lower is not None}
        self.memo: dict[tuple[int | None, int], tuple[int, ...]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        tested = doc.to_array(list(_TESTED.values()))
        shaped = self._shaped_targets(tested)
        rows = doc.to_array(list(_SET)).tolist()
        memo = self.memo
        named_words = self.named_words
        for i, (lower, tag) in enumerate(tested[:, :2].tolist()):
            key = (lower if lower in named_words else None, tag)
            numbers = memo.get(key)
            if numbers is None:
                numbers = self._rules_of(*key)
            if i in shaped:
                numbers = tuple(sorted(numbers + tuple(shaped[i])))
            row = rows[i]
            for number in numbers:  # in the ruler's order: a later rule overrides
                for position, value in self.rules[number].values:
                    row[position] = value
        doc.from_array(list(_SET), np.array(rows, dtype=np.uint64))
        return doc

    def _rules_of(self, lower: int | None, tag: int) -> tuple[int, ...]:
        """The looked-up rules that hold for a token of this tag and lowercase form (None: a
        word no rule names), in order; remembered."""
        found = set(self.by_key.get((None, tag), []))
        if lower is not None:
            found.update(self.by_key.get((lower, tag), []), self.by_key.get((lower, None), []))
        self.memo[(lower, tag)] = tuple(sorted(found))
        return self.memo[(lower, tag)]

    def _shaped_targets(self, tested: np.ndarray) -> dict[int, list[int]]:
        """{token index: rules} of the rules not looked up, each on the token it writes to."""
        columns = dict(zip(_TESTED.values(), tested.T, strict=True))
        size = len(tested)
        targets: dict[int, list[int]] = defaultdict(list)
        for number in self.shaped:
            rule = self.rules[number]
            for width, steps in rule.alternatives:
                # Where a match may start, narrowed test by test, the cheapest first: a costly
                # test (a regular expression) sees the few tokens the others let through.
                starts = np.arange(max(0, size - width + 1))
                for offset, column, test, _ in steps:
                    starts = starts[test(columns[column][starts + offset])]
                for start in starts.tolist():
                    targets[start + rule.index % width].append(number)
        return targets


def _table_key(pattern: list[dict[str, Any]], strings: StringStore) -> tuple | None:
    """(LOWER, TAG) hashes a one-token pattern tests for equality (None for either it does not
    test), or None if the pattern tests anything else."""
    if len(pattern) != 1 or not pattern[0] or set(pattern[0]) - {"LOWER", "TAG"}:
        return None
    if not all(isinstance(value, str) and value for value in pattern[0].values()):
        return None
    lower, tag = pattern[0].get("LOWER"), pattern[0].get("TAG")
    return (strings.add(lower) if lower else None, strings.add(tag) if tag else None)


def _index(entry: dict[str, Any]) -> int:
    index = entry.get("index", 0)
    if not all(-len(pattern) <= index < len(pattern) for pattern in entry["patterns"]):
        raise UnsupportedRule(f"a rule writes to token {index} of a shorter match")
    return index


def _values(normalised: dict[Any, Any]) -> tuple[tuple[int, int], ...]:
    """The ruler's own normalised values (attribute id -> hash, symbol or morphology key)."""
    if set(normalised) - set(_SET):
        raise UnsupportedRule(f"a rule sets attributes {sorted(normalised)}")
    return tuple((_SET.index(column), value) for column, value in normalised.items())


def _pattern_tests(
    pattern: list[dict[str, Any]], strings: StringStore
) -> tuple[int, tuple[_Step, ...]]:
    steps = [
        (offset, _column(name), *_test(value, strings))
        for offset, token in enumerate(pattern)
        for name, value in token.items()
    ]
    return len(pattern), tuple(sorted(steps, key=lambda step: step[3]))


def _column(name: str) -> int:
    if name not in _TESTED:
        raise UnsupportedRule(f"a rule tests {name}")
    return _TESTED[name]


def _test(wanted: Any, strings: StringStore) -> tuple[_Test, int]:
    """A test of one attribute's values as the Matcher makes it, and how costly it is."""
    if isinstance(wanted, bool):
        return (lambda values: values == int(wanted)), 0
    if isinstance(wanted, str):
        key = _key(wanted, strings)
        return (lambda values: values == key), 0
    if isinstance(wanted, dict) and len(wanted) == 1:
        ((operator, operand),) = wanted.items()
        if operator in ("IN", "NOT_IN"):
            return _membership_test({_key(v, strings) for v in operand}, operator == "IN"), 1
        if operator == "REGEX":
            return _regex_test(re.compile(operand), strings), 2
    raise UnsupportedRule(f"a rule tests {wanted!r}")


def _key(value: str, strings: StringStore) -> int:
    return strings.add(value) if value else 0  # "" is a missing value, 0 in every column


def _membership_test(keys: set[int], inside: bool) -> _Test:
    # A few equality tests: np.isin costs tens of microseconds on a Doc's few hundred values.
    def test(values: np.ndarray) -> np.ndarray:
        found = np.zeros(len(values), dtype=bool)
        for key in keys:
            found |= values == key
        return found if inside else ~found

    return test


def _regex_test(pattern: re.Pattern[str], strings: StringStore) -> _Test:
    verdicts: dict[int, bool] = {}  # string hash -> whether the pattern is found in it

    def test(values: np.ndarray) -> np.ndarray:
        found = []
        for key in values.tolist():
            if key not in verdicts:
                verdicts[key] = pattern.search(strings[key]) is not None
            found.append(verdicts[key])
        return np.array(found, dtype=bool)

    return test


@Language.factory("newsflow_attribute_table")
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    """Built from the pipeline's own `attribute_ruler`, whose place it then takes."""
    return AttributeTable(nlp.get_pipe("attribute_ruler"))
