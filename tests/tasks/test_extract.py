"""The extract stage end to end: offsets, captions, batching, and real PolNeAR texts."""

from __future__ import annotations

from pathlib import Path

import pytest

import tasks.nlp
from schemas.records import ArticleRecord, ParsedArticle
from tasks.extract import EXTRACTOR_VERSION, extract_article, extract_articles

POLNEAR = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "polnear-dev" / "text"


def polnear_texts(limit: int) -> list[Path]:
    return sorted(POLNEAR.glob("*.txt"))[:limit] if POLNEAR.is_dir() else []


def assert_offsets_point_at_text(record: ArticleRecord) -> None:
    text = record.text
    for claim in record.claims:
        assert text[claim.content_start : claim.content_end] == claim.content
        if claim.source is not None:
            assert text[claim.source_start : claim.source_end] == claim.source
    for event in record.events:
        assert text[event.trigger_start : event.trigger_end] == event.trigger
        assert 0.0 <= event.confidence <= 1.0
    for entity in record.entities:
        assert text[entity.start : entity.end] == entity.name


def test_version_is_set() -> None:
    assert EXTRACTOR_VERSION


def test_seed_record_keeps_article_fields(
    seed_article: ParsedArticle, seed_record: ArticleRecord
) -> None:
    assert seed_record.text == seed_article.text
    assert seed_record.published == "2021-05-04"
    assert seed_record.captions == seed_article.captions
    assert {"PERSON", "GPE", "ORG"} <= {e.type for e in seed_record.entities}
    assert_offsets_point_at_text(seed_record)


def test_empty_article() -> None:
    record = extract_article(ParsedArticle(url=None, text=""))
    assert (record.claims, record.events, record.entities) == ((), (), ())


def test_caption_lines_yield_nothing() -> None:
    caption = "[Police arrested protesters outside the court, officials said. Credit: AP]"
    text = f"The court adjourned on Monday.\n\n{caption}\n\nThe hearing resumes in June."
    with_caption = extract_article(ParsedArticle(url=None, text=text, captions=(caption,)))
    without = extract_article(ParsedArticle(url=None, text=text))
    assert with_caption.claims == () and with_caption.events == ()
    assert without.claims and without.events  # the rules do fire on it when it is no caption


@pytest.mark.parametrize("path", polnear_texts(6), ids=lambda p: p.stem[:40])
def test_polnear_offsets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    [record] = extract_articles([ParsedArticle(url=None, text=text, published="2016-10-01")])
    assert_offsets_point_at_text(record)
    assert record.claims, "every PolNeAR article attributes something"


def test_batch_equals_single(seed_article: ParsedArticle, seed_record: ArticleRecord) -> None:
    other = ParsedArticle(
        url="x", text='"Prices will rise," the bank said on Friday.', published="2024-03-04"
    )
    batch = extract_articles([other, seed_article])
    assert batch[1] == seed_record
    assert batch[0].claims[0].source == "the bank"


def test_a_long_text_parsed_in_pieces_gives_what_the_whole_gives(
    seed_article: ParsedArticle, seed_record: ArticleRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks.nlp, "PIECE_CHARS", 600)
    assert len(tasks.nlp.text_pieces(seed_article.text)) > 5

    [record] = extract_articles([seed_article])

    # The same offsets, claims, entities and events; only a parse at a piece's first words may
    # differ ("Chief of Japan's Joint Staff, Koji Yamazaki" lost the heading before it).
    assert record.claims == seed_record.claims
    assert record.entities == seed_record.entities
    assert [(e.event_type, e.trigger_start, e.sentence) for e in record.events] == [
        (e.event_type, e.trigger_start, e.sentence) for e in seed_record.events
    ]
    assert_offsets_point_at_text(record)


@pytest.mark.parametrize("limit", [1, 40, 10_000])
def test_text_pieces_join_back_into_the_text_and_end_at_line_breaks(limit: int) -> None:
    text = "A first line.\nA second, longer line of text.\n\nA third\nno break at the end"
    pieces = tasks.nlp.text_pieces(text, limit)
    assert "".join(pieces) == text
    assert all(piece.endswith("\n") for piece in pieces[:-1])
    assert len(pieces) == {1: 4, 40: 3, 10_000: 1}[limit]


def test_ents_in_gives_what_span_ents_gives(seed_article: ParsedArticle, nlp) -> None:
    doc = nlp(seed_article.text)
    spans = [*doc.sents, doc[:], doc[3:40], doc[5:5]]
    for span in spans:
        expected = [(e.start, e.end, e.label_, e.text) for e in span.ents]
        assert [(e.start, e.end, e.label_, e.text) for e in tasks.nlp.ents_in(span)] == expected
    assert sum(len(tasks.nlp.ents_in(sentence)) for sentence in doc.sents) > 20
