"""OPML feed lists into feed sources."""

from __future__ import annotations

import pytest

from schemas.errors import ConfigError
from tasks.opml import opml_sources
from tasks.sources import unique_name

OPML_1 = b"""<?xml version="1.0"?>
<opml version="1.0"><body>
  <outline title="Tech"><outline text="Ars Technica" xmlUrl="http://feeds.arstechnica.com/arstechnica/index"/></outline>
  <outline text="Heise &amp; Co." xmlUrl="https://www.heise.de/rss/heise-atom.xml" htmlUrl="https://www.heise.de"/>
  <outline xmlUrl="https://untitled.example/feed"/>
  <outline text="Ars Technica" xmlUrl="http://feeds.arstechnica.com/arstechnica/index"/>
</body></opml>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<opml><body><outline text="&b;" xmlUrl="https://x.example/feed"/></body></opml>"""


def test_outlines_become_feed_sources() -> None:
    sources = opml_sources(OPML_1, taken_names=["ars-technica"])
    assert [(s.name, s.kind, s.url) for s in sources] == [
        ("ars-technica-2", "feed", "http://feeds.arstechnica.com/arstechnica/index"),
        ("heise-co", "feed", "https://www.heise.de/rss/heise-atom.xml"),
        ("untitled-example", "feed", "https://untitled.example/feed"),
    ]


def test_entity_declarations_are_refused() -> None:
    with pytest.raises(ConfigError, match="entities"):
        opml_sources(BOMB)


@pytest.mark.parametrize("content", [b"", b"<opml><body>", b"<rss version='2.0'/>"])
def test_unreadable_opml_is_a_config_error(content: bytes) -> None:
    with pytest.raises(ConfigError):
        opml_sources(content)


@pytest.mark.parametrize(
    ("wanted", "taken", "name"),
    [
        ("BBC News: World", [], "bbc-news-world"),
        ("BBC News: World", ["bbc-news-world", "bbc-news-world-2"], "bbc-news-world-3"),
        ("¡¡!!", [], "source"),
    ],
)
def test_unique_names(wanted: str, taken: list[str], name: str) -> None:
    assert unique_name(wanted, taken) == name
