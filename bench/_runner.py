"""What the evaluation scripts share beyond scoring: running the extractor and printing examples."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import typer

from schemas.errors import NewsflowError
from schemas.records import ArticleRecord, ParsedArticle

Extractor = Callable[[Sequence[ParsedArticle]], list[ArticleRecord]]

WARM_UP = ParsedArticle(url=None, text="The minister said on Monday that talks would resume.")


@dataclass(frozen=True)
class ExtractionRun:
    records: list[ArticleRecord]
    version: str
    seconds: float
    load_seconds: float
    failures: tuple[str, ...]
    retried_one_by_one: bool = False

    @property
    def docs_per_second(self) -> float:
        return len(self.records) / self.seconds if self.seconds else 0.0


def load_extractor() -> tuple[Extractor, str]:
    # Imported late: --help works and a missing tasks.extract is a message, not a traceback.
    try:
        from tasks.extract import EXTRACTOR_VERSION, extract_articles
    except ImportError as error:
        typer.echo(f"cannot import tasks.extract ({error}); nothing to score", err=True)
        raise typer.Exit(code=2) from error
    return extract_articles, EXTRACTOR_VERSION


def _one_by_one(
    extract: Extractor, articles: Sequence[ParsedArticle], names: Sequence[str]
) -> tuple[list[ArticleRecord], tuple[str, ...]]:
    records, failures = [], []
    for article, name in zip(articles, names, strict=True):
        try:
            records.extend(extract([article]))
        except NewsflowError as error:
            # A failed article scores as "nothing predicted"; the failure is reported, not hidden.
            failures.append(f"{name}: {error}")
            records.append(ArticleRecord(**article.model_dump()))
    return records, tuple(failures)


def run_extractor(articles: Sequence[ParsedArticle], names: Sequence[str]) -> ExtractionRun:
    """One extract_articles call over everything, timed after a warm-up that loads the model.

    When the batch raises a NewsflowError, each article is extracted alone so that one bad
    article costs only itself; the time then covers both attempts.
    """
    extract, version = load_extractor()
    started = time.perf_counter()
    extract([WARM_UP])
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        records, failures, retried = extract(articles), (), False
    except NewsflowError:
        records, failures = _one_by_one(extract, articles, names)
        retried = True
    seconds = time.perf_counter() - started
    return ExtractionRun(records, version, seconds, load_seconds, failures, retried)


def timing_line(run: ExtractionRun, unit: str) -> str:
    line = (
        f"time: {run.seconds:.1f} s for {len(run.records)} {unit}, {run.docs_per_second:.2f} docs/s"
        f" (model load and warm-up {run.load_seconds:.1f} s, not counted)"
    )
    if run.retried_one_by_one:
        line += "; includes a failed batch and the one-by-one retry"
    return line


def print_examples(title: str, lines: Sequence[str], k: int) -> None:
    if k <= 0 or not lines:
        return
    # A seeded sample spreads the examples over the corpus and stays the same from run to run.
    chosen = random.Random(0).sample(list(lines), min(k, len(lines)))
    typer.echo(f"\n{title} ({len(chosen)} of {len(lines)}):")
    for line in chosen:
        typer.echo(f"  - {line}")
