"""`newsflow parse`: parse and extract files or URLs given by hand, without the warehouse.

The NLP model loads once for all inputs; each input gives one JSON-ready dict, with an `error`
key instead of the record when it could not be read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.errors import ConfigError, FetchError, NewsflowError
from schemas.records import ArticleRecord, FetchSettings, ParsedArticle
from tasks.extract import extract_articles
from tasks.fetch import Fetcher
from tasks.parse import parse_document, parse_path


@dataclass(frozen=True)
class ParseInput:
    location: str
    url: str | None = None
    published: str | None = None

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))


def inputs_from_manifest(manifest: Path) -> list[ParseInput]:
    """Read `{"path", "url"?, "published"?}` lines; paths are relative to the manifest."""
    inputs = []
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"cannot read manifest: {error.strerror}", url=str(manifest)) from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            location = item["path"]
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"manifest line {number} lacks a JSON `path`", url=str(manifest)
            ) from error
        path = Path(location)
        if not path.is_absolute() and not location.startswith(("http://", "https://")):
            location = str(manifest.parent / path)
        inputs.append(ParseInput(location, url=item.get("url"), published=item.get("published")))
    return inputs


def _parse_one(item: ParseInput, fetcher: Fetcher | None) -> ParsedArticle:
    if not item.is_url:
        return parse_path(Path(item.location), url=item.url, published=item.published)
    assert fetcher is not None
    doc, log = fetcher.fetch(item.location, source="cli", published=item.published)
    if doc is None:
        reason = next((r.error for r in reversed(log) if r.error), "no response")
        raise FetchError(reason or "no response", url=item.location)
    return parse_document(doc)


def parse_inputs(
    inputs: Sequence[ParseInput],
    *,
    extract: bool = True,
    fetch: FetchSettings | None = None,
) -> list[dict[str, Any]]:
    """One dict per input, in order: the `newsflow parse --jsonl` record or `{location, error}`."""
    slots: list[ParsedArticle | dict[str, Any]] = []
    needs_fetcher = any(item.is_url for item in inputs)
    with Fetcher(fetch or FetchSettings()) if needs_fetcher else nullcontext() as fetcher:
        for item in inputs:
            try:
                slots.append(_parse_one(item, fetcher))
            except NewsflowError as error:
                slots.append({"url": item.url or item.location, "error": f"{error.stage}: {error}"})
    articles = [slot for slot in slots if isinstance(slot, ParsedArticle)]
    if extract:
        records = iter(extract_articles(articles))
    else:
        records = iter(ArticleRecord(**article.model_dump()) for article in articles)
    return [
        next(records).to_json_dict() if isinstance(slot, ParsedArticle) else slot for slot in slots
    ]
