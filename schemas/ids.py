"""Stable ids: the same thing seen twice gets the same id, so loads are idempotent."""

from __future__ import annotations

import hashlib


def stable_id(kind: str, *parts: object) -> str:
    """A 20-hex-digit hash of `kind` and `parts`; None and "" hash alike."""
    text = "\x1f".join([kind, *("" if p is None else str(p) for p in parts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def article_id(url: str) -> str:
    return stable_id("article", url)


def claim_id(article: str, content_start: int, content_end: int) -> str:
    return stable_id("claim", article, content_start, content_end)


def event_id(article: str, event_type: str, trigger_start: int, trigger_end: int) -> str:
    return stable_id("event", article, event_type, trigger_start, trigger_end)


def entity_id(name: str) -> str:
    """One id per canonical name, whatever its type: speakers and event actors meet here."""
    return stable_id("entity", " ".join(name.casefold().split()))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
