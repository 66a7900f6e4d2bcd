"""The cost of the lake: one load into a DuckDB file, a lake on SQLite and a lake on PostgreSQL.

The same synthetic articles (claims as in bench/load_rate.py, plus events with actors) go through
`warehouse.load.load_batch` in batches, into each backend in turn; building the records is not
timed. Prints one JSON line per backend (seconds, rows/s) and a last line with the ratios
lake/file. The PostgreSQL lake gets a fresh database on the server in --postgres (default
$NEWSFLOW_TEST_POSTGRES; `bash .ci/postgres` starts one), dropped after; without one it is left out.

    .venv/bin/python -m bench.lake_cost                       # 2,000 articles, batches of 100
    .venv/bin/python -m bench.lake_cost --articles 500 --per-batch 50
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.load_rate import synthetic_articles
from schemas.records import ArticleRecord, EventActor, EventRecord
from warehouse.lake import close_lakes
from warehouse.load import load_batch
from warehouse.query import run_sql

_TABLES = ("articles", "claims", "events", "event_actors", "entities", "entity_mentions")
_COUNTRIES = ("NOR", "JPN", "KEN", "CHL", "PER", "ETH")


def _event(n: int) -> EventRecord:
    return EventRecord(
        event_type="CONSULT",
        trigger="met",
        trigger_start=4,
        trigger_end=7,
        date=f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
        date_precision="day",
        location="Oslo",
        country_code="NOR",
        confidence=0.8,
        actors=(
            EventActor(name=f"Envoy {n % 40}", role="actor", country_code=_COUNTRIES[n % 6]),
            EventActor(name=f"Envoy {(n + 7) % 40}", role="actor", country_code="NOR"),
        ),
        sentence="The minister met envoys.",
    )


def articles(count: int, claims_each: int) -> list[ArticleRecord]:
    """`count` articles with `claims_each` claims and one event (two actors) each."""
    built = synthetic_articles(0, count, claims_each)
    return [a.model_copy(update={"events": (_event(n),)}) for n, a in enumerate(built)]


def measure(name: str, warehouse: str, records: list[ArticleRecord], per_batch: int) -> dict:
    load_batch(warehouse, [])  # the schema, outside the timing
    started = time.perf_counter()
    for first in range(0, len(records), per_batch):
        load_batch(warehouse, records[first : first + per_batch], extractor_version="bench")
    seconds = time.perf_counter() - started
    rows = sum(run_sql(warehouse, f"SELECT count(*) FROM {t}").rows[0][0] for t in _TABLES)
    return {
        "backend": name,
        "articles": len(records),
        "articles_per_batch": per_batch,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "articles_per_second": round(len(records) / seconds, 1),
    }


@contextmanager
def _postgres_database(admin: str) -> Iterator[str]:
    name = f"newsflow_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    try:
        yield re.sub(r"dbname=\S+", "", admin).strip() + f" dbname={name}"
    finally:
        close_lakes()
        subprocess.run(
            ["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            check=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--claims-per-article", type=int, default=5)
    parser.add_argument("--per-batch", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("NEWSFLOW_TEST_POSTGRES"))
    args = parser.parse_args(argv)
    records = articles(args.articles, args.claims_per_article)
    results = []
    with tempfile.TemporaryDirectory(prefix="nf-lake-cost-") as tmp:
        folder = Path(tmp)
        os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(folder / "pg-lake-data")
        targets = [
            ("file", str(folder / "bench.duckdb")),
            ("lake-sqlite", f"ducklake:sqlite:{folder / 'catalog.sqlite'}"),
        ]
        for name, warehouse in targets:
            results.append(measure(name, warehouse, records, args.per_batch))
            print(json.dumps(results[-1]), flush=True)
        if args.postgres:
            with _postgres_database(args.postgres) as dsn:
                results.append(
                    measure("lake-postgres", f"ducklake:postgres:{dsn}", records, args.per_batch)
                )
                print(json.dumps(results[-1]), flush=True)
    file_seconds = results[0]["seconds"]
    ratios = {r["backend"]: round(r["seconds"] / file_seconds, 2) for r in results[1:]}
    print(json.dumps({"seconds_lake_over_file": ratios}), flush=True)


if __name__ == "__main__":
    main()
