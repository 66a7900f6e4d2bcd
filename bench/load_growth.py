"""Loading as the warehouse grows: the ingest process's cost per chunk, from 0 to N articles.

The AEB pages (`../shared/corpus/aeb/`) are parsed and extracted once, in this process; copies
of their records under distinct URLs are then loaded in chunks of `flows.ingest.CHUNK_SIZE`
through `warehouse.staging.load_or_stage`, the function the ingest flow's load task calls, into a
fresh DuckDB file. Each chunk is one connection: migrations checked, one transaction, and the
checkpoint DuckDB makes when the connection closes. Building the copies is not timed.

Prints one JSON line per `--every` articles loaded: CPU and wall seconds per article over those
chunks, and the share of wall time spent closing the connection (the checkpoint); with
`--statements`, the statements that took longest in the last interval. A cost that stays level
from line to line is what "cost per article flat from 2,000 to 10,000" asks of the load.

    .venv/bin/python -m bench.load_growth                         # 10,000 articles, ~5 minutes
    .venv/bin/python -m bench.load_growth --articles 2000 --every 500 --statements
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

import warehouse.db
from bench.nlp_pool import aeb_documents
from flows.ingest import CHUNK_SIZE
from schemas.records import ArticleRecord
from tasks.articles import extract_originals, parse_documents
from tasks.versions import EXTRACTOR_VERSION, PARSER_VERSION
from warehouse.staging import StagedBatch, load_or_stage


class _TimedConnection:
    """A DuckDB connection that adds the seconds of each statement, and of closing, to `spent`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spent: Counter[str]) -> None:
        self._con, self._spent = con, spent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            self._spent[" ".join(sql.split())[:80]] += time.perf_counter() - started

    def close(self) -> None:
        started = time.perf_counter()
        self._con.close()
        self._spent["(close: checkpoint)"] += time.perf_counter() - started


@contextmanager
def timed_connections() -> Iterator[Counter[str]]:
    """Seconds by statement of every warehouse connection this process opens meanwhile."""
    spent: Counter[str] = Counter()
    opened = warehouse.db._open
    warehouse.db._open = lambda *args, **kwargs: _TimedConnection(opened(*args, **kwargs), spent)
    try:
        yield spent
    finally:
        warehouse.db._open = opened


def aeb_records(pages: int) -> list[ArticleRecord]:
    articles, _ = parse_documents(aeb_documents(pages))
    records, _ = extract_originals(articles)
    return records


def copies(records: Sequence[ArticleRecord], start: int, count: int) -> list[ArticleRecord]:
    """Copies `start` to `start + count` of the records, each under a URL of its own."""
    return [
        records[i % len(records)].model_copy(
            update={"url": f"http://news.test/{i // len(records)}/{i % len(records)}.html"}
        )
        for i in range(start, start + count)
    ]


def measure(
    records: Sequence[ArticleRecord],
    articles: int,
    every: int,
    folder: Path,
    *,
    statements: bool = False,
) -> None:
    with timed_connections() as spent:
        _load_all(records, articles, every, folder / "growth.duckdb", spent, statements)


def _load_all(
    records: Sequence[ArticleRecord],
    articles: int,
    every: int,
    warehouse_path: Path,
    spent: Counter[str],
    statements: bool,
) -> None:
    loaded, cpu, wall = 0, 0.0, 0.0
    while loaded < articles:
        batch = copies(records, loaded, min(CHUNK_SIZE, articles - loaded))
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        load_or_stage(
            warehouse_path, StagedBatch(batch, [], "growth", EXTRACTOR_VERSION, PARSER_VERSION)
        )
        cpu += time.process_time() - started_cpu
        wall += time.perf_counter() - started_wall
        loaded += len(batch)
        if loaded % every == 0 or loaded == articles:
            _emit(loaded, every, cpu, wall, spent, warehouse_path, statements=statements)
            cpu, wall = 0.0, 0.0
            spent.clear()


def _emit(
    loaded: int,
    every: int,
    cpu: float,
    wall: float,
    spent: Counter[str],
    path: Path,
    *,
    statements: bool,
) -> None:
    interval = loaded % every or every
    line: dict[str, object] = {
        "articles": loaded,
        "cpu_seconds_per_article": round(cpu / interval, 5),
        "wall_seconds_per_article": round(wall / interval, 5),
        "checkpoint_share": round(spent["(close: checkpoint)"] / wall, 3) if wall else None,
        "warehouse_mb": round(path.stat().st_size / 2**20, 1),
    }
    if statements:
        line["slowest"] = {sql: round(s / interval, 5) for sql, s in spent.most_common(5)}
    print(json.dumps(line), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000, help="articles per line printed")
    parser.add_argument("--pages", type=int, default=181, help="AEB pages to extract and copy")
    parser.add_argument("--statements", action="store_true", help="name the slowest statements")
    args = parser.parse_args(argv)
    if args.every % CHUNK_SIZE:
        parser.error(f"--every must be a multiple of the chunk size, {CHUNK_SIZE}")
    records = aeb_records(args.pages)
    with tempfile.TemporaryDirectory(prefix="nf-load-growth-") as folder:
        measure(records, args.articles, args.every, Path(folder), statements=args.statements)


if __name__ == "__main__":
    main()
