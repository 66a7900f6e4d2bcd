"""OPML feed lists (the export format of feed readers) as feed sources."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from lxml import etree

from schemas.errors import ConfigError
from schemas.records import Source
from tasks.sources import unique_name

__all__ = ["opml_sources"]

_FEED_SCHEMES = frozenset({"http", "https"})


def _safe_parser() -> etree.XMLParser:
    # An OPML file comes from elsewhere: no entities, DTDs or network, as for feeds.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def opml_sources(content: bytes, *, taken_names: Iterable[str] = ()) -> list[Source]:
    """One feed source per `<outline xmlUrl=...>`, named after its title, names made unique.

    Only http(s) feeds are taken, each URL once; names already in `taken_names` are avoided.
    """
    if b"<!ENTITY" in content:  # feed lists never need them; expansion attacks do
        raise ConfigError("OPML file declares XML entities; refused")
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not a readable OPML file ({exc})") from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise ConfigError("not an OPML file (no <opml> root element)")
    taken = set(taken_names)
    seen_urls: set[str] = set()
    sources: list[Source] = []
    for outline in root.iter("{*}outline", "outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if urlsplit(url).scheme.lower() not in _FEED_SCHEMES or url in seen_urls:
            continue
        seen_urls.add(url)
        title = outline.get("title") or outline.get("text") or urlsplit(url).hostname or ""
        name = unique_name(title, taken)
        taken.add(name)
        sources.append(Source(name=name, kind="feed", url=url))
    return sources
