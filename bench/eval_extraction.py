"""Body-text quality and speed of newsflow's parse stage against bare trafilatura, on the AEB pages.

    .venv/bin/python bench/eval_extraction.py [--corpus ../shared/corpus/aeb] [--limit N]

Metric (the article-extraction-benchmark's): per page, the sets of 4-word whitespace shingles of the
predicted and the true articleBody give precision and recall; both are averaged over pages and F1 is
their harmonic mean (AEB reports it that way). An empty prediction scores 0 for both. Both
extractors run in the same process, page by page, in alternating order, so machine load affects
them alike.

Metadata (title exact match, publication day, author F1) is compared between newsflow and bare
trafilatura's own metadata (`trafilatura.extract_metadata`) against three kinds of page evidence,
each read here independently of newsflow's rules:
- JSON-LD: the first article-typed object's headline, datePublished and Person authors. newsflow
  reads JSON-LD first, so this gold favours it: it is reported, not trusted alone.
- meta: `article:published_time` for the day; `<meta name=author>` for authors.
Author gold is reduced to people the same simple way for both extractors: a leading "By" and
what follows a comma (a role, an outlet) are dropped, "and" / "|" / ";" separate names, and an
entry of one word or naming an organisation (Press, Staff, Bureau, News, Reuters, Media) is not a
person. Names compare case-insensitively without full stops ("Sarah E Needleman" = "Sarah E.
Needleman"); pages whose gold has no person left are skipped.
- visible, on pages WITHOUT JSON-LD only: the page's one <h1> (pages with several are skipped) for
  the title; for the day and authors, whether the predicted value is printed in the page's
  visible text (the day in common formats, each author name verbatim): a precision, not a recall.
Titles are compared after HTML-unescaping and whitespace and quote normalisation.

Duplicates (`--dedupe`): estimated Jaccard similarity of tasks.dedupe MinHashes between distinct
AEB bodies, and between each body and copies changed the way syndicated copies change.
"""

from __future__ import annotations

import argparse
import gzip
import html
import itertools
import json
import random
import re
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
from schemas.records import ParsedArticle  # noqa: E402
from tasks.dedupe import NEAR_DUPLICATE_THRESHOLD, DuplicateIndex, minhash  # noqa: E402
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


# Metadata evidence -------------------------------------------------------------------------


@dataclass
class Evidence:
    """What the page itself states, read without newsflow's rules."""

    has_jsonld: bool = False
    jsonld_title: str | None = None
    jsonld_day: str | None = None
    jsonld_authors: tuple[str, ...] = ()
    meta_day: str | None = None
    meta_authors: tuple[str, ...] = ()
    h1: str | None = None
    visible: str = ""


def page_evidence(page: bytes) -> Evidence:
    evidence = Evidence()
    try:
        # AEB pages are UTF-8; decoding first keeps lxml from guessing Latin-1 without a meta tag.
        tree = lxml_html.document_fromstring(page.decode("utf-8", errors="replace"))
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return evidence
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for obj in _objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.endswith(("Article", "BlogPosting")) for t in types):
                evidence.has_jsonld = True
                title, date = obj.get("headline"), obj.get("datePublished")
                evidence.jsonld_title = _norm_title(title) if isinstance(title, str) else None
                evidence.jsonld_day = _day(date) if isinstance(date, str) else None
                evidence.jsonld_authors = _gold_people(_persons(obj.get("author")))
                break
        if evidence.has_jsonld:
            break
    published = tree.xpath("//meta[@property='article:published_time']/@content")
    evidence.meta_day = _day(published[0]) if published else None
    evidence.meta_authors = _gold_people(tree.xpath("//meta[@name='author']/@content"))
    h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")]
    evidence.h1 = _norm_title(h1s[0]) if len(h1s) == 1 and h1s[0] else None
    for junk in tree.xpath("//script | //style | //noscript | //template"):
        junk.drop_tree()
    body = tree.find("body")
    evidence.visible = " ".join((body.text_content() if body is not None else "").split())
    return evidence


def _persons(value: object) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _persons(item)]
    if isinstance(value, dict):
        types = value.get("@type")
        if types in ("Organization", "NewsMediaOrganization"):
            return []
        value = value.get("name")
    return [" ".join(value.split())] if isinstance(value, str) and value.strip() else []


_GOLD_ORGANISATION = re.compile(r"\b(press|staff|bureau|news|reuters|media)\b", re.IGNORECASE)


def _gold_people(entries: list[str]) -> tuple[str, ...]:
    people = []
    for entry in entries:
        entry = re.sub(r"^\s*(?:\w+\s+)?by\s+", "", entry, flags=re.IGNORECASE)
        for part in re.split(r"\s+and\s+|[|;&]", entry):
            name = " ".join(part.split(",")[0].split())
            if len(name.split()) >= 2 and not _GOLD_ORGANISATION.search(name):
                people.append(name)
    return tuple(people)


def _day(value: str) -> str | None:
    """The calendar day a date names, as written (no timezone conversion)."""
    parsed = dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date().isoformat() if parsed and parsed.year >= 1990 else None


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _norm_title(value: str | None) -> str:
    return " ".join(html.unescape(value or "").translate(_QUOTES).split()).casefold()


def _objects(data: object) -> list[dict]:
    if isinstance(data, list):
        return [obj for item in data for obj in _objects(item)]
    if isinstance(data, dict):
        return [data, *_objects(data.get("@graph", []))]
    return []


def _day_printed(day: str, visible: str) -> bool:
    year, month, dom = (int(part) for part in day.split("-"))
    names = time.strftime("%B", (year, month, 1, 0, 0, 0, 0, 1, 0))
    forms = [
        day,
        f"{month}/{dom}/{year}",
        f"{month:02d}/{dom:02d}/{year}",
        f"{dom}.{month}.{year}",
        f"{dom:02d}.{month:02d}.{year}",
        f"{dom:02d}/{month:02d}/{year}",
    ]
    text = visible.casefold()
    if any(form in text for form in forms):
        return True
    month_names = (names.casefold(), names[:3].casefold())
    pattern = rf"\b(?:{'|'.join(month_names)})\.?\s+{dom}(?:st|nd|rd|th)?,?\s+{year}\b"
    reverse = rf"\b{dom}(?:st|nd|rd|th)?\s+(?:{'|'.join(month_names)})\.?,?\s+{year}\b"
    return bool(re.search(pattern, text) or re.search(reverse, text))


@dataclass
class Agreement:
    """hits/total per (extractor, evidence), and author precision/recall sums."""

    counts: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, key: tuple[str, str], value: float) -> None:
        self.counts.setdefault(key, []).append(value)

    def line(self, label: str, evidence: str, names: tuple[str, ...]) -> str:
        cells = []
        for name in names:
            values = self.counts.get((name, evidence), [])
            mean = statistics.fmean(values) if values else 0.0
            cells.append(f"{name} {mean:.3f}")
        n = len(self.counts.get((names[0], evidence), []))
        return f"{label:<44} n={n:<4} " + "   ".join(cells)


def _author_scores(predicted: tuple[str, ...], gold: tuple[str, ...]) -> tuple[float, float]:
    p = {" ".join(n.casefold().replace(".", " ").split()) for n in predicted}
    g = {" ".join(n.casefold().replace(".", " ").split()) for n in gold}
    if not p and not g:
        return 1.0, 1.0
    common = len(p & g)
    return (common / len(p) if p else 1.0), (common / len(g) if g else 1.0)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_metadata(
    agreement: Agreement, name: str, found: ParsedArticle | None, evidence: Evidence
) -> None:
    title = _norm_title(found.title if found else None)
    day = (found.published or "")[:10] if found else ""
    authors = found.authors if found else ()
    if evidence.jsonld_title:
        agreement.add((name, "title/jsonld"), title == evidence.jsonld_title)
    if evidence.h1 and not evidence.has_jsonld:
        agreement.add((name, "title/h1"), title == evidence.h1)
    if evidence.jsonld_day:
        agreement.add((name, "day/jsonld"), day == evidence.jsonld_day)
    if evidence.meta_day:
        agreement.add((name, "day/meta"), day == evidence.meta_day)
    if not evidence.has_jsonld and day:
        agreement.add((name, "day/visible"), _day_printed(day, evidence.visible))
    if evidence.jsonld_authors:
        agreement.add(
            (name, "authors/jsonld"), _f1(*_author_scores(authors, evidence.jsonld_authors))
        )
    if evidence.meta_authors:
        agreement.add((name, "authors/meta"), _f1(*_author_scores(authors, evidence.meta_authors)))
    if not evidence.has_jsonld:
        for author in authors:
            agreement.add(
                (name, "authors/visible"), author.casefold() in evidence.visible.casefold()
            )


def _bare_metadata(page: bytes, url: str) -> ParsedArticle:
    found = trafilatura.extract_metadata(page, default_url=url)
    if found is None:
        return ParsedArticle(url=url)
    authors = tuple(a.strip() for a in (found.author or "").split(";") if a.strip())
    return ParsedArticle(url=url, title=found.title, published=found.date, authors=authors)


# Runs --------------------------------------------------------------------------------------


def _timed_newsflow(page: bytes, url: str) -> tuple[ParsedArticle | None, float]:
    start = time.perf_counter()
    try:
        article: ParsedArticle | None = parse_bytes(page, url=url, content_type="text/html")
    except ParseError:
        article = None
    return article, time.perf_counter() - start


def _timed_trafilatura(page: bytes, url: str) -> tuple[str, float]:
    start = time.perf_counter()
    text = trafilatura.extract(page, url=url, include_comments=False)
    return text or "", time.perf_counter() - start


METADATA_ROWS = (
    ("title exact vs JSON-LD headline", "title/jsonld"),
    ("title exact vs the one <h1> (no JSON-LD)", "title/h1"),
    ("day vs JSON-LD datePublished", "day/jsonld"),
    ("day vs article:published_time", "day/meta"),
    ("day printed on the page (no JSON-LD)", "day/visible"),
    ("author F1 vs JSON-LD Person authors", "authors/jsonld"),
    ("author F1 vs <meta name=author>", "authors/meta"),
    ("author names printed on page (no JSON-LD)", "authors/visible"),
)


def evaluate(corpus: Path, limit: int) -> None:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[: limit or None]
    newsflow, bare = Scores("newsflow parse_bytes"), Scores("bare trafilatura")
    agreement = Agreement()
    for index, page_id in enumerate(ids):
        page = gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes())
        url, body = truth[page_id]["url"], truth[page_id]["articleBody"]
        # Alternate who goes first, so caches and load spikes favour neither.
        if index % 2:
            bare_text, bare_seconds = _timed_trafilatura(page, url)
            article, seconds = _timed_newsflow(page, url)
        else:
            article, seconds = _timed_newsflow(page, url)
            bare_text, bare_seconds = _timed_trafilatura(page, url)
        newsflow.add(article.text if article else "", body, seconds)
        newsflow.failures += article is None
        bare.add(bare_text, body, bare_seconds)
        bare.failures += not bare_text
        evidence = page_evidence(page)
        score_metadata(agreement, "newsflow", article, evidence)
        score_metadata(agreement, "trafilatura", _bare_metadata(page, url), evidence)

    print(f"AEB pages: {len(ids)}")
    print(newsflow.row())
    print(bare.row())
    print(f"throughput ratio newsflow/bare: {bare.seconds / newsflow.seconds:.2f}")
    print("metadata agreement (share of pages; authors: mean F1, or share printed):")
    for label, key in METADATA_ROWS:
        print("  " + agreement.line(label, key, ("newsflow", "trafilatura")))


# Duplicates ----------------------------------------------------------------------------------


def _wire_copy(text: str, rng: random.Random, keep: float, edit: float) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    kept = "\n".join(paragraphs[: max(1, round(len(paragraphs) * keep))])
    words = [w if rng.random() > edit else "edited" for w in kept.split(" ")]
    return "LONDON (Wire) — " + " ".join(words) + "\nThe Wire contributed to this report."


def evaluate_dedupe(corpus: Path) -> None:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [truth[k]["articleBody"] for k in sorted(truth)]
    bodies = [b for b in bodies if len(b.split()) >= 100]
    signatures = [minhash(b) for b in bodies]
    distinct = sorted(a.jaccard(b) for a, b in itertools.combinations(signatures, 2))
    print(f"dedupe: {len(bodies)} AEB bodies of 100+ words, threshold {NEAR_DUPLICATE_THRESHOLD}")
    print(
        f"  distinct pairs ({len(distinct)}): max {distinct[-1]:.3f}  "
        f"99.9th pct {distinct[int(len(distinct) * 0.999)]:.3f}  "
        f"at/above threshold {sum(d >= NEAR_DUPLICATE_THRESHOLD for d in distinct)}"
    )
    rng = random.Random(4)
    index = DuplicateIndex.from_rows((str(i), None, b) for i, b in enumerate(bodies))
    for keep, edit in ((1.0, 0.0), (0.8, 0.0), (0.6, 0.0), (0.5, 0.0), (1.0, 0.05), (0.8, 0.02)):
        copies = [_wire_copy(b, rng, keep, edit) for b in bodies]
        similarity = sorted(s.jaccard(minhash(c)) for s, c in zip(signatures, copies, strict=True))
        found = [index.find(None, c) for c in copies]
        right = sum(f == str(i) for i, f in enumerate(found))
        wrong = sum(f not in (None, str(i)) for i, f in enumerate(found))
        print(
            f"  copy keeping {keep:.0%} of paragraphs, {edit:.0%} words edited, dateline and note:"
            f" Jaccard min {similarity[0]:.3f} median {statistics.median(similarity):.3f};"
            f" found {right}/{len(copies)}, wrong {wrong}"
        )


def evaluate_robustness() -> None:
    """Seconds for pathological inputs, against an ordinary page parsed in the same run."""
    paragraph = "<p>" + "Earlier news about the harbour and its ferries. " * 40 + "</p>\n"
    cases = {
        "ordinary page": ("<html><body><article>" + paragraph * 10 + "</article></body></html>"),
        "40 MB page": "<html><body>"
        + paragraph * (40_000_000 // len(paragraph))
        + "</body></html>",
        "200k nested divs": "<html><body>" + "<div>" * 200_000 + paragraph * 3 + "</body></html>",
    }
    print("robustness (one run each; MAX_PARSE_BYTES caps what the parser sees):")
    for name, markup in cases.items():
        start = time.perf_counter()
        try:
            outcome = (
                f"article of {len(parse_bytes(markup.encode(), url='https://e.org/').text)} chars"
            )
        except ParseError as error:
            outcome = f"ParseError: {str(error)[:50]}"
        print(
            f"  {name:<18} {len(markup) / 1e6:6.1f} MB "
            f"{time.perf_counter() - start:6.2f} s  {outcome}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--dedupe", action="store_true", help="also measure duplicate detection")
    parser.add_argument("--robustness", action="store_true", help="also time pathological pages")
    args = parser.parse_args()
    if not (args.corpus / "ground-truth.json").exists():
        print(f"no AEB corpus at {args.corpus}", file=sys.stderr)
        return 2
    evaluate(args.corpus, args.limit)
    if args.dedupe:
        evaluate_dedupe(args.corpus)
    if args.robustness:
        evaluate_robustness()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
