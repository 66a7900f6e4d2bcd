"""Reliability fixtures: a loopback news site made of AEB pages, and `newsflow ingest` subprocesses
that share the session's Prefect server (so no run starts a server of its own).

The site (bench/throughput.py's `CorpusSite`) serves copies of the shared corpus's AEB pages,
inflated per request, and RSS feeds listing them; nothing of the corpus is copied into the repo.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from bench.throughput import CorpusSite, aeb_pages, serve, sources_yaml

REPO = Path(__file__).resolve().parents[2]
NEWSFLOW = REPO / ".venv" / "bin" / "newsflow"


@pytest.fixture(scope="session")
def aeb(corpus: Path) -> dict[str, bytes]:
    """AEB page id → gzipped HTML."""
    return aeb_pages(corpus / "aeb" / "html")


@pytest.fixture(scope="session")
def ingest_env(prefect_server: None) -> dict[str, str]:
    """Environment for `newsflow ingest` subprocesses: the session's Prefect API, analytics off."""
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


@dataclass
class LoopbackNews:
    """A served CorpusSite and a sources.yaml reading it."""

    site: CorpusSite
    base_url: str
    sources: Path


SiteFactory = Callable[..., LoopbackNews]


@pytest.fixture
def loopback_news(aeb: dict[str, bytes], tmp_path: Path) -> Iterator[SiteFactory]:
    """make(count, feeds=1, first=0) serves `count` AEB pages (ids in sorted order from
    `first`) over `feeds` feeds and writes the sources file; servers stop after the test."""
    with ExitStack() as stack:

        def make(count: int, feeds: int = 1, first: int = 0, **fetch: object) -> LoopbackNews:
            ids = sorted(aeb)[first : first + count]
            site = CorpusSite({key: aeb[key] for key in ids}, count=count, feeds=feeds)
            base = stack.enter_context(serve(site))
            sources = tmp_path / f"sources-{base.rsplit(':', 1)[1]}.yaml"
            sources.write_text(sources_yaml(base, site, **fetch), encoding="utf-8")
            return LoopbackNews(site, base, sources)

        yield make


def start_ingest(sources: Path, warehouse: Path, env: dict[str, str]) -> subprocess.Popen:
    """`newsflow ingest` in its own process group (so a kill takes any worker it forked too)."""
    return subprocess.Popen(
        [str(NEWSFLOW), "ingest", "--sources", str(sources), "--warehouse", str(warehouse)],
        env=env,
        cwd=warehouse.parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_ingest(sources: Path, warehouse: Path, env: dict[str, str], timeout: float = 600) -> str:
    """Run `newsflow ingest` to the end; its output, or a failure showing it."""
    process = start_ingest(sources, warehouse, env)
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-3000:]
    return output


# -- what a warehouse holds ------------------------------------------------------------------------

COUNTED_TABLES = ("articles", "claims", "events", "event_actors", "entities", "entity_mentions")


@dataclass(frozen=True)
class Holdings:
    """Per article URL: (claims, events, event actors, entity mentions); and table row counts."""

    per_article: dict[str, tuple[int, int, int, int]]
    counts: dict[str, int]


def holdings(warehouse: Path) -> Holdings:
    """What the warehouse holds, read-only; an absent file holds nothing."""
    if not warehouse.exists():
        return Holdings({}, dict.fromkeys(COUNTED_TABLES, 0))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "articles" not in tables:
            return Holdings({}, dict.fromkeys(COUNTED_TABLES, 0))
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES}
        rows = con.execute(
            "SELECT a.url,"
            " (SELECT count(*) FROM claims c WHERE c.article_id = a.article_id),"
            " (SELECT count(*) FROM events e WHERE e.article_id = a.article_id),"
            " (SELECT count(*) FROM event_actors x JOIN events e USING (event_id)"
            "   WHERE e.article_id = a.article_id),"
            " (SELECT count(*) FROM entity_mentions m WHERE m.article_id = a.article_id)"
            " FROM articles a"
        ).fetchall()
    return Holdings({url: tuple(rest) for url, *rest in rows}, counts)


def duplicates(warehouse: Path) -> dict[str, int]:
    """Keys stored more than once, and rows whose article (or event) is missing, per check."""
    if not warehouse.exists():
        return {}
    checks = {
        "article url": "SELECT count(*) FROM (SELECT url FROM articles GROUP BY url"
        " HAVING count(*) > 1)",
        "article id": "SELECT count(*) - count(DISTINCT article_id) FROM articles",
        "claim id": "SELECT count(*) - count(DISTINCT claim_id) FROM claims",
        "event id": "SELECT count(*) - count(DISTINCT event_id) FROM events",
        "orphan claims": "SELECT count(*) FROM claims WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
        "orphan events": "SELECT count(*) FROM events WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
        "orphan actors": "SELECT count(*) FROM event_actors WHERE event_id NOT IN"
        " (SELECT event_id FROM events)",
        "orphan mentions": "SELECT count(*) FROM entity_mentions WHERE article_id NOT IN"
        " (SELECT article_id FROM articles)",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "articles" not in tables:
            return {}
        found = {name: con.execute(query).fetchone()[0] for name, query in checks.items()}
    return {name: count for name, count in found.items() if count}
