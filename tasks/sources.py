"""sources.yaml: reading it into `Settings` (the sources and the fetch options for all), splitting
its sources into shards for several workers, and editing its list of sources for the
`newsflow sources` commands."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

# ruamel.yaml (a dependency of prefect) edits YAML without losing the user's comments.
from ruamel.yaml import YAML, CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from schemas.errors import ConfigError
from schemas.records import FetchSettings, Settings, Source

__all__ = [
    "DEFAULT_SOURCES",
    "add_sources",
    "load_settings",
    "parse_shard",
    "remove_source",
    "shard_fetch_settings",
    "shard_sources",
    "source_fetch_settings",
    "unique_name",
]

DEFAULT_SOURCES = Path("sources.yaml")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def load_settings(path: Path | str = DEFAULT_SOURCES) -> Settings:
    """Parse and validate sources.yaml; any problem is a ConfigError naming the file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read sources file: {error.strerror}", url=str(path)) from error
    except yaml.YAMLError as error:
        raise ConfigError(f"sources file is not valid YAML: {error}", url=str(path)) from error
    if not isinstance(raw, dict):
        raise ConfigError("sources file must be a mapping with a `sources:` list", url=str(path))
    try:
        settings = Settings.model_validate(
            {
                "sources": raw.get("sources") or [],
                "fetch": raw.get("fetch") or {},
                "dedupe": raw.get("dedupe", True),
            }
        )
    except ValidationError as error:
        raise ConfigError(f"invalid sources file: {error}", url=str(path)) from error
    names = [source.name for source in settings.sources]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ConfigError(f"source names must be unique: {', '.join(duplicated)}", url=str(path))
    for source in settings.sources:
        if not source.location:
            raise ConfigError(f"source {source.name!r} has neither `url` nor `path`", url=str(path))
    return settings


# Per-source option names that differ from the FetchSettings field they override.
_SOURCE_OPTION_ALIASES = {"max_in_flight": "max_in_flight_per_host"}


def source_fetch_settings(source: Source, fetch: FetchSettings) -> FetchSettings:
    """`fetch` with the options the source sets beside its kind and URL (`delay_seconds: 0`)."""
    overrides = {}
    for key, value in (source.model_extra or {}).items():
        field = _SOURCE_OPTION_ALIASES.get(key, key)
        if field in FetchSettings.model_fields:
            overrides[field] = value
    if not overrides:
        return fetch
    try:
        return FetchSettings.model_validate({**fetch.model_dump(), **overrides})
    except ValidationError as error:
        raise ConfigError(f"invalid fetch options on source {source.name!r}: {error}") from error


# -- shards: one slice of the sources per worker ------------------------------------------------

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(shard: str) -> tuple[int, int]:
    """(i, n) from "i/n": shard i of n, counted from 1 (`1/2` and `2/2` make a whole)."""
    match = _SHARD.match(shard)
    if match is None:
        raise ConfigError(f"shard must look like i/n, e.g. 1/2 (got {shard!r})")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ConfigError(f"shard {shard!r}: i must be between 1 and n, and n at least 1")
    return index, count


def _shard_of(name: str, count: int) -> int:
    """1..count, from a hash of the source name: the same on every machine and every run."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def shard_sources(sources: Sequence[Source], shard: str) -> list[Source]:
    """The sources of shard "i/n" (1-based), in the order of sources.yaml.

    A source belongs to exactly one of the n shards, chosen by a hash of its name: adding or
    removing a source never moves another one, so each feed keeps being read by one worker.
    """
    index, count = parse_shard(shard)
    return [source for source in sources if _shard_of(source.name, count) == index]


def shard_fetch_settings(fetch: FetchSettings, shard: str | None) -> FetchSettings:
    """`fetch` with `global_host_limits` decided: when unset, on for a shard, off otherwise.

    Shards run at once on several workers, which may share hosts; a single process keeps its
    per-host limits itself and needs no server.
    """
    if fetch.global_host_limits is not None:
        return fetch
    return fetch.model_copy(update={"global_host_limits": shard is not None})


# -- writing sources.yaml (the `newsflow sources` commands) ------------------------------------


def unique_name(wanted: str, taken: Iterable[str]) -> str:
    """`wanted` as a slug ("BBC News: World" → "bbc-news-world"), suffixed -2, -3... if taken."""
    base = _NOT_SLUG.sub("-", wanted.lower()).strip("-") or "source"
    names = set(taken)
    name, number = base, 1
    while name in names:
        number += 1
        name = f"{base}-{number}"
    return name


def add_sources(path: Path | str, sources: Sequence[Source]) -> list[Source]:
    """Append `sources` to the sources file (created if missing), keeping its comments.

    A source whose name is taken is refused (ConfigError); nothing is written then.
    """
    path = Path(path)
    document = _read_round_trip(path)
    listed = document.setdefault("sources", CommentedSeq())
    if listed is None:
        listed = document["sources"] = CommentedSeq()
    taken = {str(item.get("name")) for item in listed if isinstance(item, dict)}
    for source in sources:
        if source.name in taken:
            raise ConfigError(f"a source named {source.name!r} already exists", url=str(path))
        taken.add(source.name)
        listed.append(CommentedMap(source.model_dump(exclude_none=True)))
    _write_round_trip(path, document)
    return list(sources)


def remove_source(path: Path | str, name: str) -> Source:
    """Remove the source called `name` from the sources file; returns what was removed."""
    path = Path(path)
    settings = load_settings(path)
    found = next((source for source in settings.sources if source.name == name), None)
    if found is None:
        raise ConfigError(f"no source named {name!r}", url=str(path))
    document = _read_round_trip(path)
    listed = document["sources"]
    index = next(i for i, item in enumerate(listed) if str(item.get("name")) == name)
    del listed[index]
    if not listed:  # a fresh list: comments left on the old one would dump as invalid YAML
        document["sources"] = CommentedSeq()
    _write_round_trip(path, document)
    return found


def _yaml() -> YAML:
    yaml_rt = YAML()  # round-trip mode: comments and key order survive an edit
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    yaml_rt.width = 100
    return yaml_rt


def _read_round_trip(path: Path) -> CommentedMap:
    if not path.exists():
        return CommentedMap()
    try:
        document = _yaml().load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as error:
        raise ConfigError(f"cannot read sources file: {error}", url=str(path)) from error
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        raise ConfigError("sources file must be a mapping with a `sources:` list", url=str(path))
    return document


def _write_round_trip(path: Path, document: CommentedMap) -> None:
    """Validate what would be written, then replace the file in one step."""
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    text = buffer.getvalue()
    raw = yaml.safe_load(text) or {}
    try:
        Settings.model_validate(
            {
                "sources": raw.get("sources") or [],
                "fetch": raw.get("fetch") or {},
                "dedupe": raw.get("dedupe", True),
            }
        )
    except ValidationError as error:
        raise ConfigError(
            f"the sources file would become invalid: {error}", url=str(path)
        ) from error
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)
