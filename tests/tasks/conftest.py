"""Extract-stage fixtures: the spaCy pipeline once per session, and the seed article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.language import Language

from schemas.records import ArticleRecord, ParsedArticle
from tasks.nlp import load_nlp

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="session")
def seed_article() -> ParsedArticle:
    """The seed article as the parse stage hands it on: header removed, captions listed."""
    path = CORPUS / "seed-article.txt"
    if not path.is_file():
        pytest.skip("shared corpus seed-article.txt not found")
    raw = path.read_text(encoding="utf-8")
    text = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", raw)
    captions = tuple(line.strip() for line in text.splitlines() if line.strip().startswith("["))
    return ParsedArticle(url=None, text=text, published="2021-05-04", captions=captions)


@pytest.fixture(scope="session")
def seed_record(seed_article: ParsedArticle, nlp: Language) -> ArticleRecord:
    from tasks.extract import extract_article

    return extract_article(seed_article)
