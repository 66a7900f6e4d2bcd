"""Records built by hand for tests that need them without running the NLP."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.records import ArticleRecord, ClaimRecord, EntityMention, EventActor, EventRecord

# The tables of rows derived from an article (they go and come with it).
DERIVED = ("claims", "events", "event_actors", "entity_mentions")
TEXT = 'Officials met in Oslo on Monday. "We agree," the minister said.'


def make_article(url: str = "https://news.example.org/a", text: str = TEXT) -> ArticleRecord:
    quote_start = text.index("We agree")
    source_start = text.index("the minister")
    return ArticleRecord(
        url=url,
        title="Officials meet",
        authors=("A. Writer",),
        published="2024-03-12T09:30:00+03:00",
        text=text,
        captions=(),
        source="test",
        claims=(
            ClaimRecord(
                content="We agree,",
                content_start=quote_start,
                content_end=quote_start + 9,
                source="the minister",
                source_start=source_start,
                source_end=source_start + 12,
                cue="said",
                is_direct_quote=True,
                speaker="minister",
                speaker_kind="person",
            ),
        ),
        events=(
            EventRecord(
                event_type="CONSULT",
                trigger="met",
                trigger_start=10,
                trigger_end=13,
                date="2024-03-11",
                date_precision="day",
                location="Oslo",
                country_code="NOR",
                confidence=0.8,
                actors=(EventActor(name="Officials", role="actor"),),
                sentence="Officials met in Oslo on Monday.",
            ),
        ),
        entities=(EntityMention(name="Oslo", type="GPE", start=17, end=21),),
        fetched_at=datetime(2024, 3, 12, 10, tzinfo=UTC),
    )
