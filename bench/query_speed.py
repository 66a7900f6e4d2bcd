"""How fast the views and full-text search answer on a big warehouse.

Builds a synthetic warehouse (by default 1,000,000 claims and 200,000 events over 100,000
articles, through the real migrations), then times each view and a search: the best of a few
runs, and its ratio to a plain scan of the claims table measured in the same run (the machine is
shared, so the ratio says more than the seconds).

    .venv/bin/python -m bench.query_speed [--claims 1000000] [--events 200000] [--keep PATH]

Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from warehouse.db import connect
from warehouse.search import refresh_search_index, search

WORDS = [
    "talks",
    "minister",
    "border",
    "trade",
    "sanctions",
    "ceasefire",
    "troops",
    "election",
    "protest",
    "summit",
    "agreement",
    "missile",
    "navy",
    "embassy",
    "refugees",
    "drought",
    "tariffs",
    "pipeline",
    "grid",
    "port",
    "strike",
    "court",
    "ruling",
]
PLACES = ("London", "Hawaii", "Nairobi", "Santiago", "Helsinki", "Rotterdam", "Tokyo", "Seoul")
COUNTRIES = ("GBR", "USA", "KEN", "CHL", "FIN", "NLD", "JPN", "KOR", "CHN", "ETH", "PER", "SWE")
TYPES = ("CONSULT", "AGREE", "ACCUSE", "THREATEN", "REQUEST", "REJECT", "SUPPORT", "ASSAULT")


def build(path: Path, articles: int, claims: int, events: int) -> None:
    # Words follow a Zipf-like law over a 50,000-word vocabulary (rank = 50,000 * u^2), the 23
    # real words above being the most frequent: a query word then matches a few per cent of the
    # texts, as in news, instead of half of them.
    words = "['" + "', '".join(WORDS) + "']"

    def word(k: int) -> str:
        rank = f"floor(50000 * pow((hash(i * 31 + {k}) % 1000003) / 1000003.0, 2))::INT"
        return f"(CASE WHEN {rank} < {len(WORDS)} THEN {words}[1 + {rank}] ELSE 'w' || {rank} END)"

    sentence = "concat_ws(' ', " + ", ".join(word(k) for k in range(12)) + ")"
    with connect(path) as con:
        con.execute(f"""
            INSERT INTO articles (article_id, url, source, title, published_at, text, text_hash,
                                  fetched_at, loaded_at, authors, captions)
            SELECT 'a' || i, 'https://news.example.org/' || i, 'source-' || (i % 50),
                   {sentence}, TIMESTAMP '2020-01-01' + INTERVAL (i % 1800) DAY,
                   {sentence} || '. ' || {sentence} || '. ' || {sentence}, md5(i::VARCHAR),
                   TIMESTAMP '2020-01-01' + INTERVAL (i % 1800) DAY, now()::TIMESTAMP, [], []
            FROM range({articles}) t(i)""")
        con.execute(f"""
            INSERT INTO claims (claim_id, article_id, content, content_start, content_end,
                                source, cue, is_direct_quote, speaker, speaker_kind)
            SELECT 'c' || i, 'a' || (i % {articles}), {sentence}, 0, 80, 'the minister', 'said',
                   i % 3 = 0, 'Speaker ' || (hash(i) % 5000), 'person'
            FROM range({claims}) t(i)""")
        con.execute(f"""
            INSERT INTO events (event_id, article_id, event_type, trigger, trigger_start,
                                trigger_end, event_date, date_precision, location, country_code,
                                confidence, sentence, sentence_start)
            SELECT 'e' || i, 'a' || (i % {articles}), {list(TYPES)}[1 + i % {len(TYPES)}], 'met',
                   0, 3, DATE '2020-01-01' + INTERVAL (i % 1800) DAY, 'day',
                   {list(PLACES)}[1 + i % {len(PLACES)}], {list(COUNTRIES)}[1 + i % 12], 0.8,
                   {sentence}, 0
            FROM range({events}) t(i)""")
        con.execute(f"""
            INSERT INTO event_actors (event_id, role, name, country_code)
            SELECT 'e' || i, 'actor', 'Actor ' || (hash(i) % 300), {list(COUNTRIES)}[1 + i % 12]
            FROM range({events}) t(i)
            UNION ALL
            SELECT 'e' || i, 'recipient', 'Actor ' || (hash(i + 7) % 300),
                   {list(COUNTRIES)}[1 + (i + 5) % 12]
            FROM range({events}) t(i)""")
        con.execute("""
            INSERT INTO fetch_log (log_id, source, url, status, error, fetched_at)
            SELECT 'l' || i, 'source-' || (i % 50), 'https://news.example.org/' || i,
                   CASE WHEN i % 17 = 0 THEN 500 ELSE 200 END,
                   CASE WHEN i % 17 = 0 THEN 'HTTP 500' END,
                   TIMESTAMP '2020-01-01' + INTERVAL (i % 1800) DAY
            FROM range(200000) t(i)""")
        started = time.perf_counter()
        refresh_search_index(con)
        print(
            json.dumps(
                {"measure": "fts_index_build_s", "seconds": _r(time.perf_counter() - started)}
            )
        )


QUERIES = {
    "baseline: scan claims": "SELECT count(*), max(length(content)) FROM claims",
    "latest_articles": "SELECT * FROM latest_articles LIMIT 50",
    "claims_by_speaker": "SELECT * FROM claims_by_speaker LIMIT 50",
    "events_timeline": "SELECT * FROM events_timeline LIMIT 100",
    "events_timeline (one country, 2021)": "SELECT * FROM events_timeline"
    " WHERE list_contains(countries, 'JPN') AND event_date BETWEEN '2021-01-01' AND '2021-12-31'",
    "actor_pairs": "SELECT * FROM actor_pairs LIMIT 50",
    "source_health": "SELECT * FROM source_health",
}


def _r(seconds: float) -> float:
    return round(seconds, 4)


def best_of(run, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(path: Path) -> None:
    with connect(path, read_only=True) as con:
        timings = {
            name: best_of(lambda q=query: con.execute(q).fetchall())
            for name, query in QUERIES.items()
        }
    timings["search articles 'border trade'"] = best_of(lambda: search(path, "border trade"))
    timings["search claims 'sanctions' since 2023"] = best_of(
        lambda: search(path, "sanctions", claims=True, since=date(2023, 1, 1))
    )
    baseline = timings["baseline: scan claims"]
    for name, seconds in timings.items():
        print(
            json.dumps(
                {
                    "measure": name,
                    "seconds": _r(seconds),
                    "ratio_to_scan": round(seconds / baseline, 2),
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the warehouse at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "big.duckdb"
        if not path.exists():
            started = time.perf_counter()
            build(path, args.articles, args.claims, args.events)
            print(
                json.dumps(
                    {
                        "measure": "build_s",
                        "seconds": _r(time.perf_counter() - started),
                        "articles": args.articles,
                        "claims": args.claims,
                        "events": args.events,
                    }
                )
            )
        measure(path)


if __name__ == "__main__":
    main()
