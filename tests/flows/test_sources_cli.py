"""`newsflow sources`: add, list, remove and import-opml against a sources file in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.sources import load_settings

runner = CliRunner()

SOURCES = """# What newsflow ingests.
fetch:
  retries: 2   # on 5xx and 429
sources:
  # the house feed
  - name: house
    kind: feed
    url: https://news.example/feed.xml
"""

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>subscriptions</title></head><body>
  <outline text="World">
    <outline type="rss" text="BBC News - World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline type="rss" text="House" xmlUrl="https://other.example/house.xml"/>
    <outline type="rss" title="BBC News - World" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
  </outline>
  <outline type="rss" text="Already here" xmlUrl="https://news.example/feed.xml"/>
  <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
  <outline text="A folder with no feed"/>
</body></opml>
"""


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


def test_every_sources_command_has_help_with_an_example() -> None:
    for command in ("add", "list", "remove", "import-opml"):
        result = runner.invoke(app, ["sources", command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output, command


def test_add_keeps_comments_and_validates(sources_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "sources",
            "add",
            "world",
            "https://example.org/rss.xml",
            "-o",
            "delay_seconds=2.5",
            "--sources",
            str(sources_file),
        ],
    )
    assert result.exit_code == 0, result.output
    text = sources_file.read_text(encoding="utf-8")
    assert "# the house feed" in text and "# on 5xx and 429" in text
    [house, world] = load_settings(sources_file).sources
    assert (world.name, world.kind, world.url) == ("world", "feed", "https://example.org/rss.xml")
    assert world.model_extra == {"delay_seconds": 2.5}

    again = runner.invoke(
        app, ["sources", "add", "world", "docs", "--kind", "folder", "-s", str(sources_file)]
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_add_creates_the_file_with_a_local_path(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sources.yaml"
    result = runner.invoke(
        app, ["sources", "add", "docs", "examples/docs", "--kind", "folder", "-s", str(path)]
    )
    assert result.exit_code == 0, result.output
    [source] = load_settings(path).sources
    assert (source.kind, source.path, source.url) == ("folder", "examples/docs", None)


def test_bad_option_is_refused_and_nothing_written(sources_file: Path) -> None:
    before = sources_file.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["sources", "add", "x", "https://e.org/f", "-o", "oops", "-s", str(sources_file)]
    )
    assert result.exit_code == 1 and "KEY=VALUE" in result.output
    assert sources_file.read_text(encoding="utf-8") == before


def test_list_as_json_and_table(sources_file: Path) -> None:
    result = runner.invoke(app, ["sources", "list", "-s", str(sources_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"name": "house", "kind": "feed", "url": "https://news.example/feed.xml"}
    ]
    table = runner.invoke(app, ["sources", "list", "-s", str(sources_file)])
    assert table.exit_code == 0 and "house" in table.output


def test_remove(sources_file: Path) -> None:
    result = runner.invoke(app, ["sources", "remove", "house", "-s", str(sources_file)])
    assert result.exit_code == 0, result.output
    assert load_settings(sources_file).sources == ()
    assert "# What newsflow ingests." in sources_file.read_text(encoding="utf-8")

    missing = runner.invoke(app, ["sources", "remove", "house", "-s", str(sources_file)])
    assert missing.exit_code == 1 and "no source named 'house'" in missing.output


def test_import_opml_adds_feeds_with_unique_names(sources_file: Path, tmp_path: Path) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_bytes(OPML)
    result = runner.invoke(app, ["sources", "import-opml", str(opml), "-s", str(sources_file)])
    assert result.exit_code == 0, result.output
    assert "added 3 feed sources" in result.output and "1 already listed" in result.output
    sources = load_settings(sources_file).sources
    assert [(s.name, s.url) for s in sources] == [
        ("house", "https://news.example/feed.xml"),
        ("bbc-news-world", "https://feeds.bbci.co.uk/news/world/rss.xml"),
        ("house-2", "https://other.example/house.xml"),
        ("bbc-news-world-2", "https://feeds.bbci.co.uk/news/rss.xml"),
    ]
    assert all(s.kind == "feed" for s in sources)


def test_import_of_a_file_that_is_not_opml_fails_cleanly(
    sources_file: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.opml"
    junk.write_text("<html><body>not opml", encoding="utf-8")
    result = runner.invoke(app, ["sources", "import-opml", str(junk), "-s", str(sources_file)])
    assert result.exit_code == 1
    assert "OPML" in result.output
    missing = runner.invoke(app, ["sources", "import-opml", str(tmp_path / "none.opml")])
    assert missing.exit_code == 1
