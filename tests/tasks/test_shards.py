"""Shards of the sources: "i/n", each source in exactly one shard, the same one every time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import ConfigError
from schemas.records import FetchSettings, Source
from tasks.sources import parse_shard, shard_fetch_settings, shard_sources


def _sources(names: list[str]) -> list[Source]:
    return [Source(name=name, kind="feed", url=f"https://{name}.example/rss") for name in names]


@given(
    names=st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=40),
    count=st.integers(min_value=1, max_value=6),
)
def test_every_source_is_in_exactly_one_shard(names: list[str], count: int) -> None:
    sources = _sources(names)
    shards = [shard_sources(sources, f"{i}/{count}") for i in range(1, count + 1)]
    seen = [source.name for shard in shards for source in shard]
    assert sorted(seen) == sorted(names)
    for shard in shards:  # each keeps the order of sources.yaml
        assert shard == [source for source in sources if source in shard]


def test_adding_a_source_moves_no_other() -> None:
    before = _sources([f"feed-{n}" for n in range(30)])
    after = [*before, *_sources(["a-new-feed"])]
    for i in (1, 2, 3):
        kept = [s for s in shard_sources(after, f"{i}/3") if s.name != "a-new-feed"]
        assert kept == shard_sources(before, f"{i}/3")


def test_the_assignment_is_pinned() -> None:
    # The same on every machine, Python version and run: a hash of the name (sha256), not hash().
    sources = _sources(["bbc-world", "reuters", "nhk", "aljazeera", "dw", "lemonde"])
    assert [s.name for s in shard_sources(sources, "1/2")] == ["reuters", "aljazeera"]
    assert [s.name for s in shard_sources(sources, "2/2")] == ["bbc-world", "nhk", "dw", "lemonde"]
    assert shard_sources(sources, "1/1") == sources


@pytest.mark.parametrize("shard", ["0/2", "3/2", "1/0", "a/b", "1", "", "-1/2", "1/2/3"])
def test_a_malformed_shard_is_a_config_error(shard: str) -> None:
    with pytest.raises(ConfigError, match="shard"):
        parse_shard(shard)


def test_a_shard_may_be_written_with_spaces() -> None:
    assert parse_shard(" 2 / 3 ") == (2, 3)


def test_global_host_limits_default_to_on_for_a_shard_only() -> None:
    unset = FetchSettings()
    assert shard_fetch_settings(unset, "1/2").global_host_limits is True
    assert shard_fetch_settings(unset, None).global_host_limits is False
    off = FetchSettings(global_host_limits=False)
    assert shard_fetch_settings(off, "1/2").global_host_limits is False
    on = FetchSettings(global_host_limits=True)
    assert shard_fetch_settings(on, None).global_host_limits is True
