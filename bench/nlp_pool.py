"""Parse and NLP of AEB pages in this process against the local process pool, alternating.

No network, no warehouse: only `articles_from_documents`, so that the pool's gain is seen apart
from fetching, loading and Prefect. Both are warmed up first (the pool's workers load spaCy once).
Prints one JSON line per round and one with the median ratio.

    .venv/bin/python -m bench.nlp_pool --pages 64 --rounds 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from schemas.records import Document
from tasks.articles import articles_from_documents
from tasks.compute import Compute, InProcess, LocalProcesses
from tasks.dedupe import DuplicateIndex

AEB_HTML = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "aeb" / "html"


def aeb_documents(count: int) -> list[Document]:
    now = datetime.now(UTC)
    paths = sorted(AEB_HTML.glob("*.html.gz"))[:count]
    return [
        Document(
            url=f"http://news.test/{i}.html",
            final_url=f"http://news.test/{i}.html",
            source="aeb",
            content=gzip.decompress(path.read_bytes()),
            content_type="text/html",
            status=200,
            fetched_at=now,
        )
        for i, path in enumerate(paths)
    ]


def timed(docs: Sequence[Document], compute: Compute) -> float:
    started = time.perf_counter()
    articles_from_documents(docs, duplicates=DuplicateIndex(), compute=compute)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    docs = aeb_documents(args.pages)
    ratios = []
    with LocalProcesses(args.workers) as pool:
        timed(docs[:4], InProcess())
        timed(docs[:20], pool)
        for round_ in range(args.rounds):
            here, pooled = timed(docs, InProcess()), timed(docs, pool)
            ratios.append(here / pooled)
            line = {"round": round_, "pages": len(docs), "in_process_s": round(here, 2)}
            line |= {f"pool_{args.workers}_s": round(pooled, 2), "speedup": round(here / pooled, 2)}
            print(json.dumps(line), flush=True)
    print(json.dumps({"pages": len(docs), "median_speedup": round(statistics.median(ratios), 2)}))


if __name__ == "__main__":
    main()
