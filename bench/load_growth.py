"""Loading as the warehouse grows: the ingest process's cost per chunk, from 0 to N articles.

The AEB pages (`../shared/corpus/aeb/`) are parsed and extracted once, in this process; copies
of their records under distinct URLs are then loaded in chunks of `flows.ingest.CHUNK_SIZE`
through `warehouse.staging.load_or_stage` as the ingest flow's load task calls it, into a fresh
DuckDB file. Each chunk is one connection: migrations checked, one transaction, and no checkpoint
when it closes (the write-ahead log is checkpointed once past DuckDB's threshold, in a COMMIT);
`--checkpoint` makes every chunk's connection checkpoint as it closes, as loads did before.
Building the copies is not timed.

Prints one JSON line per `--every` articles loaded: CPU and wall seconds per article over those
chunks, and the share of wall time spent closing connections (where a checkpoint happens); with
`--statements`, the statements that took longest in the interval. A cost that stays level from
line to line is what "cost per article flat from 2,000 to 10,000" asks of the load.

    .venv/bin/python -m bench.load_growth                         # 10,000 articles, ~3 minutes
    .venv/bin/python -m bench.load_growth --checkpoint            # each chunk checkpointed
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
from dataclasses import dataclass
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
        self._spent["(close)"] += time.perf_counter() - started


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
    checkpoint: bool = False,
    statements: bool = False,
) -> None:
    with timed_connections() as spent:
        loads = _Loads(folder / "growth.duckdb", checkpoint, spent, statements)
        loads.run(records, articles, every)


@dataclass
class _Loads:
    warehouse: Path
    checkpoint: bool
    spent: Counter[str]  # seconds by statement, filled by timed_connections
    statements: bool

    def run(self, records: Sequence[ArticleRecord], articles: int, every: int) -> None:
        loaded, cpu, wall = 0, 0.0, 0.0
        while loaded < articles:
            batch = copies(records, loaded, min(CHUNK_SIZE, articles - loaded))
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            staged = StagedBatch(batch, [], "growth", EXTRACTOR_VERSION, PARSER_VERSION)
            load_or_stage(self.warehouse, staged, checkpoint=self.checkpoint)
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started_wall
            loaded += len(batch)
            if loaded % every == 0 or loaded == articles:
                self._emit(loaded, loaded % every or every, cpu, wall)
                cpu, wall = 0.0, 0.0
                self.spent.clear()

    def _emit(self, loaded: int, interval: int, cpu: float, wall: float) -> None:
        line: dict[str, object] = {
            "articles": loaded,
            "cpu_seconds_per_article": round(cpu / interval, 5),
            "wall_seconds_per_article": round(wall / interval, 5),
            "close_share": round(self.spent["(close)"] / wall, 3) if wall else None,
            "warehouse_mb": round(_size(self.warehouse) / 2**20, 1),
        }
        if self.statements:
            slowest = self.spent.most_common(5)
            line["slowest"] = {sql: round(seconds / interval, 5) for sql, seconds in slowest}
        print(json.dumps(line), flush=True)


def _size(path: Path) -> int:
    """The file and its write-ahead log."""
    log = path.with_name(path.name + ".wal")
    return path.stat().st_size + (log.stat().st_size if log.exists() else 0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000, help="articles per line printed")
    parser.add_argument("--pages", type=int, default=181, help="AEB pages to extract and copy")
    parser.add_argument("--statements", action="store_true", help="name the slowest statements")
    parser.add_argument("--checkpoint", action="store_true", help="checkpoint every chunk")
    args = parser.parse_args(argv)
    if args.every % CHUNK_SIZE:
        parser.error(f"--every must be a multiple of the chunk size, {CHUNK_SIZE}")
    records = aeb_records(args.pages)
    with tempfile.TemporaryDirectory(prefix="nf-load-growth-") as folder:
        measure(
            records,
            args.articles,
            args.every,
            Path(folder),
            checkpoint=args.checkpoint,
            statements=args.statements,
        )


if __name__ == "__main__":
    main()
