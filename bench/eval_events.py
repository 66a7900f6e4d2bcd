"""Score event extraction against the PLOVER gold-standard dev records (one sentence each).

Run from the repo root:

    .venv/bin/python -m bench.eval_events [--corpus DIR] [--limit N] [--show-errors K]

Scoring:
- the predicted main event of a sentence is its most confident event (first one on a tie);
- event type: accuracy over sentences with a gold type; no prediction counts as wrong. Older
  PLOVER names in the records are mapped: DEMAND→REQUEST, DISAPPROVE→ACCUSE, FIGHT→ASSAULT,
  INVESTIGATE→ACCUSE;
- countries: gold CAMEO codes become ISO 3166-1 alpha-3 (JAP→JPN, ITL→ITA, VTN→VNM, ROM→ROU,
  withdrawn ISO codes to their successor via pycountry, the rest as is when pycountry knows them).
  Group codes with no country (IGO, NGO, IMG, ISM, REB, ...) are left out of country scoring;
  so are predicted actors without a country code;
- participant-country F1: the set of countries of the main event's actors and recipients
  against the gold source and target countries, micro-averaged over sentences;
- role-aware F1: (role, country) pairs, gold source→actor and target→recipient. In a reciprocal
  record (SRC/TAR in the markup, or source and target the same list) every gold participant is an
  actor, and predicted recipients are counted as actors too.
Output: readable lines, a per-type confusion summary, then one JSON line with every figure.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if __package__ in (None, ""):
    # Run as a file (python bench/eval_events.py): make the repo root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._runner import print_examples, run_extractor, timing_line
from bench._scoring import (
    NO_PREDICTION,
    PRF,
    add_prf,
    confusion_summary,
    fold_reciprocal,
    gold_role_countries,
    is_reciprocal,
    main_event,
    normalise_event_type,
    set_prf,
)
from schemas.records import ParsedArticle

if TYPE_CHECKING:
    from schemas.records import EventRecord

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


@dataclass(frozen=True)
class SentenceScore:
    record_id: str
    gold_type: str | None
    predicted_type: str
    countries: PRF
    roles: PRF
    description: str


def load_plover(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records.append(json.loads(line))
            if limit is not None and len(records) >= limit:
                break
    return records


def predicted_role_countries(event: EventRecord | None) -> set[tuple[str, str]]:
    if event is None:
        return set()
    return {
        (actor.role, actor.country_code.strip().upper())
        for actor in event.actors
        if actor.country_code
    }


def _describe(event: EventRecord | None) -> str:
    if event is None:
        return "no event"
    actors = ", ".join(f"{a.role}:{a.name}/{a.country_code or '-'}" for a in event.actors)
    return f"{event.event_type} on {event.trigger!r} ({event.confidence:.2f}) [{actors}]"


def score_sentence(record: Mapping[str, Any], events: tuple[EventRecord, ...]) -> SentenceScore:
    event = main_event(events)
    gold_type = normalise_event_type(record.get("event"))
    predicted_type = normalise_event_type(event.event_type) if event else None
    reciprocal = is_reciprocal(record)
    gold_pairs = gold_role_countries(record)
    predicted_pairs = fold_reciprocal(predicted_role_countries(event), reciprocal)
    gold_text = ", ".join(f"{role}:{country}" for role, country in sorted(gold_pairs))
    return SentenceScore(
        record_id=str(record.get("id", "")),
        gold_type=gold_type,
        predicted_type=predicted_type or NO_PREDICTION,
        countries=set_prf({c for _, c in predicted_pairs}, {c for _, c in gold_pairs}),
        roles=set_prf(predicted_pairs, gold_pairs),
        description=(
            f"[{record.get('id')}] gold {gold_type} [{gold_text}] (eventText "
            f"{record.get('eventText')!r}); predicted {_describe(event)}: {record.get('text')}"
        ),
    )


def _fold_of(word: str, folds: int) -> int:
    return int(hashlib.sha256(word.encode()).hexdigest(), 16) % folds


def holdout_triggers(records: list[dict[str, Any]], folds: int, fallback: bool = True) -> None:
    """Cross-validation that holds out triggers: the lexicon's words are split into folds; for
    each fold its words are removed from the lexicon and only the sentences whose gold trigger
    (eventText) uses one of them are scored. Shows how the coder does on triggers it has never
    seen, which is what a held-out test set mostly contains. The learned fallback
    (tasks.event_model) loses its example sentences that use a held-out word; `fallback=False`
    scores the lexicon alone. Participant-country and role-aware F1 are reported over the same
    sentences (a sentence scored in several folds counts in each)."""
    from tasks import event_model
    from tasks import events as coder
    from tasks.nlp import load_nlp

    nlp = load_nlp()
    examples = event_model.load_examples()
    example_lemmas = [{t.lemma_.lower() for t in doc} for doc in nlp.pipe(s for _, s in examples)]
    saved_verbs, saved_nouns = dict(coder.VERB_TRIGGERS), dict(coder.NOUN_TRIGGERS)
    saved_phrasal = dict(coder._PHRASAL)
    lemmas = [{t.lemma_.lower() for t in nlp(str(r.get("eventText") or ""))} for r in records]
    lexicon = set(saved_verbs) | set(saved_nouns) | {v for v, _ in saved_phrasal}
    totals = [0, 0]
    held_scores: list[SentenceScore] = []
    for fold in range(folds):
        held = {word for word in lexicon if _fold_of(word, folds) == fold}
        chosen = [i for i, found in enumerate(lemmas) if found & held]
        if not chosen:
            continue
        try:
            for table, saved in (
                (coder.VERB_TRIGGERS, saved_verbs),
                (coder.NOUN_TRIGGERS, saved_nouns),
            ):
                table.clear()
                table.update({k: v for k, v in saved.items() if k not in held})
            coder._PHRASAL.clear()
            coder._PHRASAL.update({k: v for k, v in saved_phrasal.items() if k[0] not in held})
            # The fallback's examples that use a held-out word go too: it must not see them.
            kept = [
                ex for ex, found in zip(examples, example_lemmas, strict=True) if not found & held
            ]
            model = event_model.make_model(nlp, kept)
            if not fallback:
                model.min_score = float("inf")
            event_model.use_model(model)
            subset = [records[i] for i in chosen]
            inputs = [
                ParsedArticle(url=None, text=r["text"], published=r.get("date")) for r in subset
            ]
            run = run_extractor(inputs, [str(r.get("id")) for r in subset])
        finally:
            event_model.use_model(None)
            for table, saved in (
                (coder.VERB_TRIGGERS, saved_verbs),
                (coder.NOUN_TRIGGERS, saved_nouns),
                (coder._PHRASAL, saved_phrasal),
            ):
                table.clear()
                table.update(saved)
        scores = [score_sentence(r, res.events) for r, res in zip(subset, run.records, strict=True)]
        held_scores.extend(scores)
        correct = sum(s.predicted_type == s.gold_type for s in scores)
        totals[0] += correct
        totals[1] += len(scores)
        typer.echo(
            f"  fold {fold}: {len(held)} lexicon words held out, {len(scores)} sentences use one,"
            f" type accuracy {correct / len(scores):.3f}"
        )
    overall = totals[0] / totals[1] if totals[1] else 0.0
    countries = add_prf(s.countries for s in held_scores)
    roles = add_prf(s.roles for s in held_scores)
    typer.echo(f"held-out-trigger type accuracy: {overall:.3f} ({totals[0]}/{totals[1]})")
    typer.echo(
        f"held-out-trigger participant-country F1 {countries.f1:.3f}, "
        f"role-aware F1 {roles.f1:.3f} (same sentences)"
    )
    figures = {
        "holdout_folds": folds,
        "fallback": fallback,
        "holdout_type_accuracy": round(overall, 4),
        **countries.as_dict("holdout_country"),
        **roles.as_dict("holdout_role"),
    }
    typer.echo(json.dumps(figures))


def main(
    corpus: Annotated[Path, typer.Option(help="Folder holding plover-dev/.")] = DEFAULT_CORPUS,
    limit: Annotated[int | None, typer.Option(help="Score only the first N sentences.")] = None,
    show_errors: Annotated[
        int, typer.Option(help="Print K wrong-type and K wrong-country sentences.")
    ] = 0,
    holdout_folds: Annotated[
        int, typer.Option(help="Instead: cross-validate with K folds of held-out triggers.")
    ] = 0,
    fallback: Annotated[
        bool, typer.Option(help="With --holdout-folds: use the learned fallback for no trigger.")
    ] = True,
) -> None:
    """Score tasks.extract events on PLOVER dev. Example: python -m bench.eval_events --limit 50"""
    path = corpus / "plover-dev" / "plover-gsr-dev.jsonl"
    if not path.is_file():
        typer.echo(f"no PLOVER records at {path}", err=True)
        raise typer.Exit(code=2)
    records = load_plover(path, limit)
    if holdout_folds:
        holdout_triggers(records, holdout_folds, fallback)
        return
    inputs = [
        ParsedArticle(url=None, text=record["text"], published=record.get("date"))
        for record in records
    ]
    run = run_extractor(inputs, [str(record.get("id")) for record in records])

    scores = [
        score_sentence(record, result.events)
        for record, result in zip(records, run.records, strict=True)
    ]
    typed = [s for s in scores if s.gold_type]
    correct = sum(s.predicted_type == s.gold_type for s in typed)
    type_accuracy = correct / len(typed) if typed else 0.0
    no_event = sum(s.predicted_type == NO_PREDICTION for s in scores)
    countries = add_prf(s.countries for s in scores)
    roles = add_prf(s.roles for s in scores)

    typer.echo(
        f"PLOVER dev: {len(records)} sentences, {len(typed)} with a gold type, "
        f"{no_event} without a predicted event (extractor {run.version})"
    )
    typer.echo(f"event type accuracy: {type_accuracy:.3f} ({correct}/{len(typed)})")
    typer.echo(
        f"participant countries: P {countries.precision:.3f}  R {countries.recall:.3f}  "
        f"F1 {countries.f1:.3f}  (tp {countries.tp}, pred {countries.n_pred}, "
        f"gold {countries.n_gold})"
    )
    typer.echo(
        f"role-aware (role, country): P {roles.precision:.3f}  R {roles.recall:.3f}  "
        f"F1 {roles.f1:.3f}  (tp {roles.tp}, pred {roles.n_pred}, gold {roles.n_gold})"
    )
    typer.echo(timing_line(run, "sentences"))
    if run.failures:
        typer.echo(f"extraction failed on {len(run.failures)} sentences, scored as empty:")
        for failure in run.failures:
            typer.echo(f"  - {failure}")
    typer.echo("\nper gold type (after mapping older names):")
    for line in confusion_summary((s.gold_type, s.predicted_type) for s in typed):
        typer.echo(f"  {line}")
    wrong_type = [s.description for s in typed if s.predicted_type != s.gold_type]
    wrong_countries = [
        s.description for s in scores if s.roles.tp < max(s.roles.n_gold, s.roles.n_pred)
    ]
    print_examples("wrong event type", wrong_type, show_errors)
    print_examples("missed or wrong participants", wrong_countries, show_errors)

    per_type = {}
    for s in typed:
        entry = per_type.setdefault(s.gold_type, {"n": 0, "correct": 0})
        entry["n"] += 1
        entry["correct"] += int(s.predicted_type == s.gold_type)
    figures = {
        "corpus": "plover-dev",
        "extractor_version": run.version,
        "sentences": len(records),
        "typed_sentences": len(typed),
        "no_event": no_event,
        "type_accuracy": round(type_accuracy, 4),
        "type_correct": correct,
        **countries.as_dict("country"),
        **roles.as_dict("role"),
        "per_type": per_type,
        "seconds": round(run.seconds, 2),
        "load_seconds": round(run.load_seconds, 2),
        "extraction_failures": len(run.failures),
        "docs_per_second": round(run.docs_per_second, 3),
        "retried_one_by_one": run.retried_one_by_one,
    }
    typer.echo(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    typer.run(main)
