"""Crash consistency: `newsflow ingest` killed with SIGKILL at random moments of a run.

After each kill the warehouse must open, hold no duplicate and no half-written article, and the
next run must complete everything. "Half-written" is judged against a clean reference run over
the same pages (extraction is deterministic): every article present after a kill must have
exactly the claims, events, event actors and entity mentions the reference stored for it.

Kill moments are stratified over the reference run's wall time (one uniformly random moment in
each of `kills` equal slices), so start-up, fetching, NLP and loading all get hit. The seed is
printed; set NEWSFLOW_CRASH_SEED to replay a sequence. Outcomes print one JSON line per kill
(`pytest -s` shows them).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    Holdings,
    SiteFactory,
    duplicates,
    holdings,
    run_ingest,
    start_ingest,
)


@dataclass
class Outcome:
    kill: int
    at_seconds: float
    killed: bool  # False when the run had already finished
    articles_after_kill: int
    duplicates: dict[str, int]
    half_written: dict[str, str]  # url: "found (claims, events, actors, mentions) != reference"
    complete_after_next_run: bool
    differences_after_next_run: dict[str, str]  # url: "found != reference" (None: absent)


def _half_written(state: Holdings, reference: Holdings) -> dict[str, str]:
    return {
        url: f"{counts} != {reference.per_article.get(url)}"
        for url, counts in sorted(state.per_article.items())
        if reference.per_article.get(url) != counts
    }


def _kill_at(sources: Path, warehouse: Path, env: dict[str, str], at: float) -> bool:
    """Start a run and SIGKILL its process group `at` seconds later; False if it ended first."""
    process = start_ingest(sources, warehouse, env)
    try:
        process.communicate(timeout=at)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return True


def _trial(
    index: int, at: float, sources: Path, root: Path, env: dict[str, str], reference: Holdings
) -> Outcome:
    warehouse = root / f"kill-{index:02d}" / "warehouse" / "newsflow.duckdb"
    warehouse.parent.mkdir(parents=True)
    killed = _kill_at(sources, warehouse, env, at)
    state = holdings(warehouse)  # opening it at all is the first check
    found = duplicates(warehouse)
    half = _half_written(state, reference)
    run_ingest(sources, warehouse, env)
    after = holdings(warehouse)
    differences = {
        url: f"{after.per_article.get(url)} != {reference.per_article.get(url)}"
        for url in sorted(set(after.per_article) | set(reference.per_article))
        if after.per_article.get(url) != reference.per_article.get(url)
    }
    return Outcome(
        kill=index,
        at_seconds=round(at, 2),
        killed=killed,
        articles_after_kill=len(state.per_article),
        duplicates=found,
        half_written=half,
        complete_after_next_run=not differences and not duplicates(warehouse),
        differences_after_next_run=differences,
    )


def _crash_loop(
    kills: int, news_pages: int, feeds: int, loopback_news: SiteFactory, tmp_path: Path, env
) -> list[Outcome]:
    news = loopback_news(news_pages, feeds=feeds)
    reference_path = tmp_path / "reference" / "warehouse" / "newsflow.duckdb"
    reference_path.parent.mkdir(parents=True)
    started = time.monotonic()
    run_ingest(news.sources, reference_path, env)
    duration = time.monotonic() - started
    reference = holdings(reference_path)
    assert reference.counts["articles"] > 0 and reference.counts["claims"] > 0
    seed = int(os.environ.get("NEWSFLOW_CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    print(f"\ncrash loop: seed {seed}, reference run {duration:.1f} s, {reference.counts}")
    outcomes = []
    for index in range(kills):
        at = duration * (index + rng.random()) / kills
        outcome = _trial(index, at, news.sources, tmp_path, env, reference)
        print(json.dumps(asdict(outcome)))
        outcomes.append(outcome)
    return outcomes


def _assert_consistent(outcomes: list[Outcome]) -> None:
    bad = [o for o in outcomes if o.duplicates or o.half_written or not o.complete_after_next_run]
    assert not bad, [asdict(o) for o in bad]
    assert any(o.killed for o in outcomes), "no run was actually killed"


def test_two_kills_leave_a_consistent_warehouse(
    loopback_news: SiteFactory, tmp_path: Path, ingest_env: dict[str, str]
) -> None:
    _assert_consistent(_crash_loop(2, 6, 2, loopback_news, tmp_path, ingest_env))


@pytest.mark.slow
def test_twenty_kills_leave_a_consistent_warehouse(
    loopback_news: SiteFactory, tmp_path: Path, ingest_env: dict[str, str]
) -> None:
    outcomes = _crash_loop(20, 16, 4, loopback_news, tmp_path, ingest_env)
    _assert_consistent(outcomes)
    # the loop is worth its time only if kills landed while articles were being stored
    assert any(o.killed and o.articles_after_kill for o in outcomes) or all(
        o.killed for o in outcomes
    )
