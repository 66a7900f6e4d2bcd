"""Body-text quality and speed of newsflow's parse stage against bare trafilatura, on the AEB pages.

    .venv/bin/python bench/eval_extraction.py [--corpus ../shared/corpus/aeb] [--limit N]

Metric (the article-extraction-benchmark's): per page, the sets of 4-word whitespace shingles of the
predicted and the true articleBody give precision and recall; both are averaged over pages and F1 is
their harmonic mean (AEB reports it that way). An empty prediction scores 0 for both. Both
extractors run in the same process, page by page, in alternating order, so machine load affects
them alike. Title and date agreement are counted on pages whose JSON-LD states a headline and a
real datePublished; a title also agrees when the headline is it plus a " | Site" suffix.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dateparser
import trafilatura
from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.errors import ParseError  # noqa: E402
from tasks.parse import parse_bytes  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "aeb"
SHINGLE_WORDS = 4


@dataclass
class Scores:
    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0

    def add(self, predicted: str, truth: str, seconds: float) -> None:
        precision, recall = shingle_scores(predicted, truth)
        self.precision.append(precision)
        self.recall.append(recall)
        self.seconds += seconds

    def row(self) -> str:
        p, r = statistics.fmean(self.precision), statistics.fmean(self.recall)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rate = len(self.precision) / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<22} precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  "
            f"{rate:6.1f} docs/s  failures {self.failures}"
        )


def shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def shingle_scores(predicted: str, truth: str) -> tuple[float, float]:
    predicted_set, true_set = shingles(predicted), shingles(truth)
    if not predicted_set or not true_set:
        both_empty = not predicted_set and not true_set
        return (1.0, 1.0) if both_empty else (0.0, 0.0)
    common = len(predicted_set & true_set)
    return common / len(predicted_set), common / len(true_set)


def jsonld_title_and_date(page: bytes) -> tuple[str | None, str | None]:
    """Headline and datePublished of the first article-typed JSON-LD object, read independently."""
    try:
        # AEB pages are UTF-8; decoding first keeps lxml from guessing Latin-1 without a meta tag.
        tree = lxml_html.document_fromstring(page.decode("utf-8", errors="replace"))
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None, None
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for obj in _objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.endswith(("Article", "BlogPosting")) for t in types):
                title, date = obj.get("headline"), obj.get("datePublished")
                return (
                    " ".join(title.split()) if isinstance(title, str) else None,
                    _day(date) if isinstance(date, str) else None,
                )
    return None, None


def _day(value: str) -> str | None:
    """The calendar day a JSON-LD date names, as written (no timezone conversion)."""
    parsed = dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date().isoformat() if parsed and parsed.year >= 1990 else None


def _same_title(predicted: str | None, headline: str) -> bool:
    predicted, headline = (predicted or "").casefold(), headline.casefold()
    if not predicted:
        return False
    rest = headline.removeprefix(predicted)
    return headline == predicted or (rest != headline and rest[:3] in (" | ", " - "))


def _objects(data: object) -> list[dict]:
    if isinstance(data, list):
        return [obj for item in data for obj in _objects(item)]
    if isinstance(data, dict):
        return [data, *_objects(data.get("@graph", []))]
    return []


def _timed_newsflow(page: bytes, url: str) -> tuple[str, str | None, str | None, float, bool]:
    start = time.perf_counter()
    try:
        article = parse_bytes(page, url=url, content_type="text/html")
        found = (article.text, article.title, article.published, False)
    except ParseError:
        found = ("", None, None, True)
    return found[0], found[1], found[2], time.perf_counter() - start, found[3]


def _timed_trafilatura(page: bytes, url: str) -> tuple[str, float]:
    start = time.perf_counter()
    text = trafilatura.extract(page, url=url, include_comments=False)
    return text or "", time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    truth_file = args.corpus / "ground-truth.json"
    if not truth_file.exists():
        print(f"no AEB corpus at {args.corpus}", file=sys.stderr)
        return 2
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    ids = sorted(truth)[: args.limit or None]

    newsflow, bare = Scores("newsflow parse_bytes"), Scores("bare trafilatura")
    titles = dates = title_hits = date_hits = 0
    for index, page_id in enumerate(ids):
        page = gzip.decompress((args.corpus / "html" / f"{page_id}.html.gz").read_bytes())
        url, body = truth[page_id]["url"], truth[page_id]["articleBody"]
        # Alternate who goes first, so caches and load spikes favour neither.
        if index % 2:
            bare_text, bare_seconds = _timed_trafilatura(page, url)
            text, title, published, seconds, failed = _timed_newsflow(page, url)
        else:
            text, title, published, seconds, failed = _timed_newsflow(page, url)
            bare_text, bare_seconds = _timed_trafilatura(page, url)
        newsflow.add(text, body, seconds)
        newsflow.failures += failed
        bare.add(bare_text, body, bare_seconds)
        bare.failures += not bare_text

        true_title, true_date = jsonld_title_and_date(page)
        if true_title:
            titles += 1
            title_hits += _same_title(title, true_title)
        if true_date:
            dates += 1
            date_hits += (published or "")[:10] == true_date

    print(f"AEB pages: {len(ids)}")
    print(newsflow.row())
    print(bare.row())
    print(f"throughput ratio newsflow/bare: {bare.seconds / newsflow.seconds:.2f}")
    print(f"title agrees with JSON-LD headline: {title_hits}/{titles}")
    print(f"date agrees with JSON-LD datePublished: {date_hits}/{dates}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
