"""The extract stage: entities, claims and events for parsed articles, with one spaCy pass.

Offsets everywhere are character offsets into `article.text`; captions (which also occur in the
text) are skipped so that a photo credit is never a claim or an event.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from schemas.errors import ExtractError
from schemas.records import ArticleRecord, EntityMention, ParsedArticle
from tasks.claims import claims_from_doc
from tasks.dates import parse_published
from tasks.events import events_from_doc
from tasks.nlp import NAME_ENTITY_TYPES, find_spans, load_nlp, parse_texts
from tasks.versions import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "extract_article", "extract_articles"]


def extract_article(article: ParsedArticle) -> ArticleRecord:
    """Claims, events and entities of one article."""
    return extract_articles([article])[0]


def extract_articles(articles: Sequence[ParsedArticle]) -> list[ArticleRecord]:
    """Runs spaCy once over all texts, long ones in pieces (the model loads once per process,
    cached in tasks/nlp.py)."""
    docs = parse_texts(load_nlp(), (article.text for article in articles))
    return [_record(article, doc) for article, doc in zip(articles, docs, strict=True)]


def _record(article: ParsedArticle, doc: Doc) -> ArticleRecord:
    try:
        skip = find_spans(article.text, article.captions)
        claims = claims_from_doc(doc, skip_spans=skip)
        events = events_from_doc(doc, parse_published(article.published), skip_spans=skip)
    except Exception as error:  # a rule tripping on an odd parse must name the article
        raise ExtractError(
            f"extraction failed: {type(error).__name__}: {error}", url=article.url
        ) from error
    return ArticleRecord(
        **article.model_dump(),
        claims=tuple(claims),
        events=tuple(events),
        entities=tuple(_entities(doc)),
    )


def _entities(doc: Doc) -> list[EntityMention]:
    return [
        EntityMention(name=ent.text, type=ent.label_, start=ent.start_char, end=ent.end_char)
        for ent in doc.ents
        if ent.label_ in NAME_ENTITY_TYPES
    ]
