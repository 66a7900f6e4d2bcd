"""Where a worker's CPU goes: parsing the page, each spaCy component, and the extractors.

One process, no network, no warehouse. AEB pages are parsed (`parse_documents`), their texts cut
as the workers cut them (`text_pieces`), then each pipeline component runs over all of them in
turn, so its CPU is its own; then `extract_originals` (spaCy and every extractor, as a worker
runs it) over the same articles in the workers' batches. Each is run twice and the second, warm,
figure counts: the lemmatizer's cache and spaCy's string store fill on the first. One JSON line
per component with its share of spaCy, then one with the CPU per article of the page parse, of
spaCy and of the extractors (`extract_originals` less spaCy).

    .venv/bin/python -m bench.nlp_costs --pages 120
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Callable

from spacy import __version__ as spacy_version
from spacy.language import Language
from spacy.tokens import Doc

from bench.nlp_pool import aeb_documents
from tasks.articles import BATCH_SIZE, extract_originals, parse_documents
from tasks.compute import _warm_worker
from tasks.nlp import PIECES_PER_BATCH, load_nlp, text_pieces


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU of this process spent in `work()`, the second of two runs."""
    work()
    started = time.process_time()
    work()
    return time.process_time() - started


def component_costs(nlp: Language, texts: list[str]) -> dict[str, float]:
    """CPU of the tokenizer and of each component, each over the previous one's output (on
    copies, so that a second run starts from the same annotations)."""
    costs = {"tokenizer": cpu_seconds(lambda: [nlp.make_doc(text) for text in texts])}
    docs = [nlp.make_doc(text) for text in texts]
    for name, component in nlp.pipeline:
        spent = cpu_seconds(functools.partial(_run, component, docs))
        costs[name] = max(0.0, spent - _copying(docs))
        docs = _run(component, docs)
    return costs


def _run(component: Callable, docs: list[Doc]) -> list[Doc]:
    copies = [doc.copy() for doc in docs]
    if hasattr(component, "pipe"):
        return list(component.pipe(copies, batch_size=PIECES_PER_BATCH))
    return [component(doc) for doc in copies]  # a function component


def _copying(docs: list[Doc]) -> float:
    return cpu_seconds(lambda: [doc.copy() for doc in docs])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args(argv)
    _warm_worker()
    docs = aeb_documents(args.pages)
    articles, _ = parse_documents(docs)
    pieces = [piece for article in articles for piece in text_pieces(article.text)]
    spacy = component_costs(load_nlp(), pieces)
    batches = [articles[i : i + BATCH_SIZE] for i in range(0, len(articles), BATCH_SIZE)]
    stages = {
        "parse_documents": cpu_seconds(lambda: parse_documents(docs)),
        "extract_originals": cpu_seconds(lambda: [extract_originals(b) for b in batches]),
    }
    spacy_total = sum(spacy.values())
    for name, seconds in spacy.items():
        share = round(seconds / spacy_total, 3)
        print(json.dumps({"component": name, "cpu_seconds": round(seconds, 2), "share": share}))
    extractors = stages["extract_originals"] - spacy_total
    summary = {
        "spacy": spacy_version,  # the parser's and NER's speed differ by release (reliability.md)
        "articles": len(articles),
        "parse_per_article": stages["parse_documents"] / len(articles),
        "spacy_per_article": spacy_total / len(articles),
        "extractors_per_article": extractors / len(articles),
    }
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}))


if __name__ == "__main__":
    main()
