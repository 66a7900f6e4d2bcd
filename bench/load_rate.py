"""Loading rate: rows per second into the warehouse for one million claims.

Synthetic ArticleRecords (`--claims-per-article` claims each, no events or entities, so the
figure is about the claims) go through `warehouse.load.load_batch`, the function the ingest flow's
load task calls, in batches of `--articles-per-batch` articles (one transaction each, as one source
of a run would be). Building the records is not timed. Prints one JSON line per batch size.

    .venv/bin/python -m bench.load_rate                       # 1,000,000 claims, about 2 minutes
    .venv/bin/python -m bench.load_rate --claims 100000       # a quick look
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from schemas.records import ArticleRecord, ClaimRecord
from warehouse.load import load_batch

_SENTENCE = 'The minister said: "We will build the bridge next year, whatever it costs." '
_FETCHED = datetime(2024, 3, 12, 10, tzinfo=UTC)


def _claim(i: int) -> ClaimRecord:
    start = i * len(_SENTENCE)
    return ClaimRecord(
        content="We will build the bridge next year, whatever it costs.",
        content_start=start + 20,
        content_end=start + 74,
        source="The minister",
        source_start=start,
        source_end=start + 12,
        cue="said",
        is_direct_quote=True,
        speaker=f"Minister {i % 50}",
        speaker_kind="person",
    )


def synthetic_articles(first: int, count: int, claims_each: int) -> list[ArticleRecord]:
    claims = tuple(_claim(i) for i in range(claims_each))
    text = _SENTENCE * claims_each
    return [
        ArticleRecord(
            url=f"https://news.example.org/{n}",
            title=f"Article {n}",
            text=text + str(n),  # distinct texts: distinct hashes, as real articles have
            published="2024-03-12",
            source="bench",
            claims=claims,
            fetched_at=_FETCHED,
        )
        for n in range(first, first + count)
    ]


def measure(total_claims: int, claims_each: int, per_batch: int) -> dict[str, float]:
    articles = total_claims // claims_each
    loaded = seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="nf-load-") as tmp:
        warehouse = Path(tmp) / "load.duckdb"
        load_batch(warehouse, [])  # the schema, outside the timing
        for first in range(0, articles, per_batch):
            batch = synthetic_articles(first, min(per_batch, articles - first), claims_each)
            started = time.perf_counter()
            result = load_batch(warehouse, batch, run_id="bench", extractor_version="bench")
            seconds += time.perf_counter() - started
            loaded += result.claims
        size_mb = warehouse.stat().st_size / 1e6
    return {
        "claims": int(loaded),
        "articles": articles,
        "articles_per_batch": per_batch,
        "seconds": round(seconds, 2),
        "claims_per_second": round(loaded / seconds),
        "rows_per_second": round((loaded + articles) / seconds),
        "warehouse_mb": round(size_mb, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--claims-per-article", type=int, default=20)
    parser.add_argument("--articles-per-batch", default="500,5000", help="comma-separated")
    args = parser.parse_args(argv)
    for per_batch in (int(size) for size in args.articles_per_batch.split(",")):
        print(json.dumps(measure(args.claims, args.claims_per_article, per_batch)), flush=True)


if __name__ == "__main__":
    main()
