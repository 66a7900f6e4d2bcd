"""Score claim extraction against the PolNeAR dev split (attributions in BRAT standoff).

Run from the repo root:

    .venv/bin/python -m bench.eval_claims [--corpus DIR] [--limit N] [--show-errors K] [--half 0|1]

Scoring (corpus README):
- content: a predicted claim matches a gold attribution when their content spans share at least
  half of the shorter span's whitespace tokens; one-to-one greedy matching, best overlap first.
  A gold content made of several fragments (discontinuous, or Content + Content2) counts the
  tokens of all fragments.
- exact span: both spans trimmed of surrounding whitespace and Unicode punctuation (quote marks,
  commas, full stops, dashes, ellipses) must be identical; a discontinuous gold content is
  compared by its hull (first fragment start to last fragment end). Words such as a leading
  "that" are kept.
- source accuracy, on content-matched pairs: correct when the predicted source span overlaps a
  gold Source fragment; a gold attribution without Source is correct only when the prediction
  has no source either (a source named without offsets counts as a source that overlaps nothing).
- recall is also split by kind: gold contents opening with a quotation mark (direct quotes) and
  the rest; is_direct_quote is checked against that on matched pairs.
- Articles annotated more than once are scored against one annotation: the first .ann file in
  sorted order.
Output: readable lines, then one JSON line with every figure.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if __package__ in (None, ""):
    # Run as a file (python bench/eval_claims.py): make the repo root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._runner import print_examples, run_extractor, timing_line
from bench._scoring import (
    PRF,
    GoldAttribution,
    TokenIndex,
    add_prf,
    annotation_stem,
    count_exact,
    hull,
    is_quoted,
    match_by_overlap,
    normalise_span,
    parse_attributions,
    source_correct,
)
from schemas.records import ParsedArticle

if TYPE_CHECKING:
    from schemas.records import ClaimRecord

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class GoldArticle:
    name: str
    annotation_file: str
    text: str
    attributions: tuple[GoldAttribution, ...]


@dataclass(frozen=True)
class PolnearSplit:
    articles: tuple[GoldArticle, ...]
    multiply_annotated: tuple[str, ...]


@dataclass
class ArticleScore:
    content: PRF
    exact: PRF
    matched: int
    source_correct: int
    quote_flag_correct: int = 0
    gold_quoted: int = 0
    gold_quoted_matched: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    wrong_source: list[str] = field(default_factory=list)


def read_text_exactly(path: Path) -> str:
    # newline="" keeps \r\n as is: BRAT offsets count every character of the file.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def load_polnear(folder: Path, limit: int | None = None) -> PolnearSplit:
    """Articles with one annotation each (the first .ann in sorted order), in name order."""
    annotations: dict[str, list[Path]] = defaultdict(list)
    for ann_path in sorted((folder / "attributions").glob("*.ann")):
        annotations[annotation_stem(ann_path.name)].append(ann_path)
    articles = []
    for name in sorted(annotations):
        text_path = folder / "text" / f"{name}.txt"
        if not text_path.exists():
            continue
        chosen = annotations[name][0]
        attributions = parse_attributions(read_text_exactly(chosen))
        articles.append(
            GoldArticle(
                name=name,
                annotation_file=chosen.name,
                text=read_text_exactly(text_path),
                attributions=tuple(attributions),
            )
        )
        if limit is not None and len(articles) >= limit:
            break
    multiple = tuple(a.name for a in articles if len(annotations[a.name]) > 1)
    return PolnearSplit(articles=tuple(articles), multiply_annotated=multiple)


def _snippet(text: str, start: int, end: int) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= SNIPPET_CHARS else piece[: SNIPPET_CHARS - 1] + "…"


def predicted_source_span(claim: ClaimRecord) -> tuple[int, int] | None:
    if claim.source_start is not None and claim.source_end is not None:
        return (claim.source_start, claim.source_end)
    # Named without offsets: a source was predicted, but it can overlap nothing.
    return (0, 0) if claim.source else None


def score_article(article: GoldArticle, claims: Sequence[ClaimRecord]) -> ArticleScore:
    text, gold = article.text, article.attributions
    index = TokenIndex(text)
    pred_tokens = [index.tokens([(c.content_start, c.content_end)]) for c in claims]
    gold_tokens = [index.tokens(a.content) for a in gold]
    pairs = match_by_overlap(pred_tokens, gold_tokens)

    exact_pred = [normalise_span(text, c.content_start, c.content_end) for c in claims]
    exact_gold = [normalise_span(text, *hull(a.content)) for a in gold]

    score = ArticleScore(
        content=PRF(tp=len(pairs), n_pred=len(claims), n_gold=len(gold)),
        exact=PRF(tp=count_exact(exact_pred, exact_gold), n_pred=len(claims), n_gold=len(gold)),
        matched=len(pairs),
        source_correct=0,
    )
    quoted = [is_quoted(text, a.content) for a in gold]
    score.gold_quoted = sum(quoted)
    for p, g in pairs:
        claim, attribution = claims[p], gold[g]
        score.gold_quoted_matched += quoted[g]
        score.quote_flag_correct += claim.is_direct_quote == quoted[g]
        if source_correct(predicted_source_span(claim), attribution.source):
            score.source_correct += 1
        else:
            gold_source = " / ".join(_snippet(text, s, e) for s, e in attribution.source) or "-"
            score.wrong_source.append(
                f"[{article.name}] predicted source {claim.source!r}, gold {gold_source!r}: "
                f"{_snippet(text, claim.content_start, claim.content_end)}"
            )
    matched_pred = {p for p, _ in pairs}
    matched_gold = {g for _, g in pairs}
    for g, attribution in enumerate(gold):
        if g not in matched_gold:
            content = " … ".join(_snippet(text, s, e) for s, e in attribution.content)
            score.missed.append(f"[{article.name}] {content}")
    for p, claim in enumerate(claims):
        if p not in matched_pred:
            score.spurious.append(
                f"[{article.name}] {_snippet(text, claim.content_start, claim.content_end)}"
                f"  (source {claim.source!r})"
            )
    return score


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def main(
    corpus: Annotated[Path, typer.Option(help="Folder holding polnear-dev/.")] = DEFAULT_CORPUS,
    limit: Annotated[int | None, typer.Option(help="Score only the first N articles.")] = None,
    show_errors: Annotated[
        int, typer.Option(help="Print K missed, K spurious and K wrong-source claims.")
    ] = 0,
    half: Annotated[
        int | None,
        typer.Option(
            help="Score only the even (0) or odd (1) articles in name order: two held-out "
            "halves, to check that a rule tuned while reading one half carries to the other."
        ),
    ] = None,
) -> None:
    """Score tasks.extract claims on PolNeAR dev. Example: python -m bench.eval_claims --limit 10"""
    folder = corpus / "polnear-dev"
    if not (folder / "attributions").is_dir():
        typer.echo(f"no PolNeAR corpus at {folder}", err=True)
        raise typer.Exit(code=2)
    split = load_polnear(folder, limit)
    if half is not None:
        kept = split.articles[half % 2 :: 2]
        names = {article.name for article in kept}
        split = PolnearSplit(
            articles=kept,
            multiply_annotated=tuple(n for n in split.multiply_annotated if n in names),
        )
    inputs = [ParsedArticle(url=None, text=article.text) for article in split.articles]
    run = run_extractor(inputs, [article.name for article in split.articles])

    scores = [
        score_article(article, record.claims)
        for article, record in zip(split.articles, run.records, strict=True)
    ]
    content = add_prf(s.content for s in scores)
    exact = add_prf(s.exact for s in scores)
    matched = sum(s.matched for s in scores)
    sources_ok = sum(s.source_correct for s in scores)
    source_accuracy = sources_ok / matched if matched else 0.0
    quote_flags_ok = sum(s.quote_flag_correct for s in scores)
    gold_quoted = sum(s.gold_quoted for s in scores)
    gold_quoted_matched = sum(s.gold_quoted_matched for s in scores)
    gold_indirect = content.n_gold - gold_quoted
    indirect_matched = matched - gold_quoted_matched

    typer.echo(
        f"PolNeAR dev: {len(split.articles)} articles, {content.n_gold} gold attributions, "
        f"{content.n_pred} predicted claims (extractor {run.version})"
    )
    typer.echo(
        f"{len(split.multiply_annotated)} articles are annotated more than once; each is scored "
        "against its first .ann file in sorted order"
    )
    typer.echo(
        f"content (>=50% token overlap): P {content.precision:.3f}  R {content.recall:.3f}  "
        f"F1 {content.f1:.3f}  ({content.tp} matched)"
    )
    typer.echo(
        f"exact span (trimmed of whitespace, punctuation, quotes): P {exact.precision:.3f}  "
        f"R {exact.recall:.3f}  F1 {exact.f1:.3f}  ({exact.tp} exact)"
    )
    typer.echo(f"source accuracy on matched pairs: {source_accuracy:.3f} ({sources_ok}/{matched})")
    typer.echo(
        f"recall by kind: direct quotes {_ratio(gold_quoted_matched, gold_quoted):.3f} "
        f"({gold_quoted_matched}/{gold_quoted}), "
        f"other {_ratio(indirect_matched, gold_indirect):.3f} "
        f"({indirect_matched}/{gold_indirect}); is_direct_quote right on "
        f"{_ratio(quote_flags_ok, matched):.3f} of matched pairs"
    )
    typer.echo(timing_line(run, "articles"))
    if run.failures:
        typer.echo(f"extraction failed on {len(run.failures)} articles, scored as empty:")
        for failure in run.failures:
            typer.echo(f"  - {failure}")
    print_examples("missed claims", [m for s in scores for m in s.missed], show_errors)
    print_examples("spurious claims", [m for s in scores for m in s.spurious], show_errors)
    print_examples("wrong sources", [m for s in scores for m in s.wrong_source], show_errors)

    figures = {
        "corpus": "polnear-dev",
        "extractor_version": run.version,
        "articles": len(split.articles),
        "half": half,
        "multiply_annotated_articles": len(split.multiply_annotated),
        "annotation_choice": "first .ann in sorted order",
        **content.as_dict("content"),
        **exact.as_dict("exact"),
        "source_accuracy": round(source_accuracy, 4),
        "source_correct": sources_ok,
        "matched": matched,
        "gold_direct_quotes": gold_quoted,
        "direct_quote_recall": round(_ratio(gold_quoted_matched, gold_quoted), 4),
        "other_recall": round(_ratio(indirect_matched, gold_indirect), 4),
        "quote_flag_accuracy": round(_ratio(quote_flags_ok, matched), 4),
        "seconds": round(run.seconds, 2),
        "load_seconds": round(run.load_seconds, 2),
        "extraction_failures": len(run.failures),
        "docs_per_second": round(run.docs_per_second, 3),
        "retried_one_by_one": run.retried_one_by_one,
    }
    typer.echo(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    typer.run(main)
