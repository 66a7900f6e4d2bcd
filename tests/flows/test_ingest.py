"""The ingest flow end to end: a feed and pages on a loopback HTTP server, a real DuckDB file."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

from tasks.compute import InProcess, Result
from warehouse.query import run_sql

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "examples" / "feed" / "articles"
SEED = REPO / "examples" / "docs" / "us-japan-talks-london.txt"


def _feed(server: HTTPServer) -> str:
    items = [
        ("Kenya and Ethiopia", "/world/kenya-ethiopia-border.html"),
        ("Chile and Peru", "world/chile-peru-fishing.html"),  # relative link
        ("US-Japan talks", server.url_for("/world/us-japan-talks")),
        ("Gone", "/world/missing.html"),
        ("Broken", "/world/broken.html"),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Tue, 04 May 2021 08:00:00 +0000</pubDate></item>"
        for title, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


@pytest.fixture
def news_site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(httpserver), content_type="application/rss+xml"
    )
    for name in ("kenya-ethiopia-border.html", "chile-peru-fishing.html"):
        httpserver.expect_request(f"/world/{name}").respond_with_data(
            (PAGES / name).read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request("/world/us-japan-talks").respond_with_data(
        SEED.read_bytes(), content_type="text/plain; charset=utf-8"
    )
    httpserver.expect_request("/world/missing.html").respond_with_data("no", status=404)
    httpserver.expect_request("/world/broken.html").respond_with_data("oops", status=500)
    return httpserver


@pytest.fixture
def sources_file(tmp_path: Path, news_site: HTTPServer) -> Path:
    path = tmp_path / "sources.yaml"
    config = {
        "fetch": {
            "allow_private_addresses": True,
            "retries": 1,
            "backoff_seconds": 0.05,
            "timeout_seconds": 5,
            "delay_seconds": 0,
        },
        "sources": [
            {"name": "loopback-news", "kind": "feed", "url": news_site.url_for("/feed.xml")},
            {"name": "nowhere", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"},
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _counts(warehouse: Path) -> dict[str, int]:
    tables = ("articles", "claims", "events", "event_actors", "entities", "entity_mentions")
    return {t: run_sql(warehouse, f"SELECT count(*) FROM {t}").rows[0][0] for t in tables}


def test_ingest_fills_the_warehouse_and_a_rerun_adds_nothing(
    prefect_server, sources_file, warehouse_path
):
    from flows.ingest import ingest

    summary = ingest(str(sources_file), str(warehouse_path))

    assert summary["sources"] == 2
    assert summary["new_articles"] == 3
    # chunks are loaded without a checkpoint; the run's last write folds them into the file
    assert not warehouse_path.with_name(warehouse_path.name + ".wal").exists()
    urls = {row[0] for row in run_sql(warehouse_path, "SELECT url FROM articles").rows}
    assert any(u.endswith("/world/chile-peru-fishing.html") for u in urls)
    assert any(u.endswith("/world/us-japan-talks") for u in urls)

    seed_events = run_sql(
        warehouse_path,
        "SELECT e.event_type, e.location, list(a.country_code ORDER BY a.country_code)"
        " FROM events e JOIN articles USING (article_id) JOIN event_actors a USING (event_id)"
        " WHERE articles.url LIKE '%us-japan-talks' GROUP BY ALL",
    ).rows
    assert any(t == "CONSULT" and loc == "London" for t, loc, _ in seed_events)
    speakers = {
        row[0]
        for row in run_sql(
            warehouse_path,
            "SELECT speaker FROM claims JOIN articles USING (article_id)"
            " WHERE articles.url LIKE '%us-japan-talks'",
        ).rows
    }
    assert "NHK" in speakers

    failures = run_sql(
        warehouse_path,
        "SELECT url, status, error FROM fetch_log WHERE error IS NOT NULL ORDER BY url",
    ).rows
    failed_urls = " ".join(row[0] for row in failures)
    assert "missing.html" in failed_urls and "broken.html" in failed_urls
    assert "127.0.0.1:9" in failed_urls  # the unreachable feed is recorded, the run went on
    assert all(row[2] for row in failures)

    before = _counts(warehouse_path)
    again = ingest(str(sources_file), str(warehouse_path))
    assert again["new_articles"] == 0
    assert _counts(warehouse_path) == before
    runs = run_sql(warehouse_path, "SELECT count(*) FROM runs").rows[0][0]
    assert runs == 2


# -- incremental runs, artifacts, overlap, recovery ---------------------------------------------

from uuid import UUID  # noqa: E402

from werkzeug import Request, Response  # noqa: E402

ETAG = '"feed-v1"'


def _conditional_feed(feed: str):
    """A feed that answers 304 to a request bearing its ETag, as real feeds do."""

    def respond(request: Request) -> Response:
        if request.headers.get("If-None-Match") == ETAG:
            return Response(status=304, headers={"ETag": ETAG})
        return Response(feed, content_type="application/rss+xml", headers={"ETag": ETAG})

    return respond


@pytest.fixture
def quiet_site(httpserver: HTTPServer) -> HTTPServer:
    """One feed with one article, unchanged from run to run."""
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    link = httpserver.url_for("/world/us-japan-talks")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>talks</title><link>{link}</link></item></channel></rss>"
    )
    httpserver.expect_request("/feed.xml").respond_with_handler(_conditional_feed(feed))
    httpserver.expect_request("/world/us-japan-talks").respond_with_data(
        SEED.read_bytes(), content_type="text/plain; charset=utf-8"
    )
    return httpserver


def _sources(tmp_path: Path, server: HTTPServer, names: tuple[str, ...] = ("quiet",)) -> Path:
    path = tmp_path / "quiet-sources.yaml"
    config = {
        "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
        "sources": [
            {"name": name, "kind": "feed", "url": server.url_for("/feed.xml")} for name in names
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _all_counts(warehouse: Path) -> dict[str, int]:
    tables = ("articles", "claims", "events", "event_actors", "entities", "http_cache")
    return {t: run_sql(warehouse, f"SELECT count(*) FROM {t}").rows[0][0] for t in tables}


def _artifacts(run_id: str) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    return {artifact.key: artifact.data for artifact in found}


def test_a_run_with_nothing_new_writes_only_its_run_record_and_its_304s(
    prefect_server, tmp_path, quiet_site, warehouse_path
):
    from flows.ingest import ingest

    sources = _sources(tmp_path, quiet_site)
    first = ingest(str(sources), str(warehouse_path))
    assert first["new_articles"] == 1 and first["status"] == "completed"
    before = _all_counts(warehouse_path)
    log_before = run_sql(warehouse_path, "SELECT count(*) FROM fetch_log").rows[0][0]

    again = ingest(str(sources), str(warehouse_path))

    assert [row["status"] for row in again["per_source"]] == ["not modified"]
    assert _all_counts(warehouse_path) == before
    new_log = run_sql(
        warehouse_path,
        f"SELECT status, not_modified FROM fetch_log WHERE run_id = '{again['run_id']}'",
    ).rows
    assert new_log == [(304, True)]
    assert run_sql(warehouse_path, "SELECT count(*) FROM fetch_log").rows[0][0] == log_before + 1
    runs = run_sql(warehouse_path, "SELECT status, flow, finished_at IS NOT NULL FROM runs").rows
    assert runs == [("completed", "ingest", True)] * 2

    artifacts = _artifacts(first["run_id"])
    assert {"ingest-sources", "ingest-summary", "ingest-quality"} <= set(artifacts)
    assert '"new": 1' in str(artifacts["ingest-sources"]).replace("'", '"')
    assert "Slowest sources" in str(artifacts["ingest-summary"])


def test_only_the_named_sources_run(prefect_server, tmp_path, quiet_site, warehouse_path):
    from flows.ingest import ingest
    from schemas.errors import ConfigError

    sources = _sources(tmp_path, quiet_site, names=("quiet", "other"))
    summary = ingest(str(sources), str(warehouse_path), source_names=["other"])
    assert [row["source"] for row in summary["per_source"]] == ["other"]
    with pytest.raises(ConfigError):
        ingest(str(sources), str(warehouse_path), source_names=["missing"])


def test_a_run_after_a_crash_merges_what_the_crashed_run_staged(
    prefect_server, tmp_path, quiet_site, warehouse_path
):
    from flows.ingest import ingest
    from tests.factories import make_article
    from warehouse.load import load_batch
    from warehouse.staging import StagedBatch, stage_batch, staged_files

    load_batch(warehouse_path, [])
    stage_batch(warehouse_path, StagedBatch([make_article()], [], run_id="crashed"))

    summary = ingest(str(_sources(tmp_path, quiet_site)), str(warehouse_path))

    assert staged_files(warehouse_path) == []
    urls = {row[0] for row in run_sql(warehouse_path, "SELECT url FROM articles").rows}
    assert make_article().url in urls and len(urls) == 2
    assert summary["new_articles"] == 1  # the crashed run's article is not counted twice


def test_two_runs_at_once_store_each_row_once(prefect_server, tmp_path, quiet_site, warehouse_path):
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    sources = _sources(tmp_path, quiet_site, names=("quiet", "twin"))
    script = "import sys; from flows.ingest import ingest; ingest(sys.argv[1], sys.argv[2])"
    env = {**__import__("os").environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(sources), str(warehouse_path)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=600), run.stderr.read() if run.stderr else b"") for run in runs]

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    from warehouse.staging import StagedBatch, load_or_stage

    load_or_stage(warehouse_path, StagedBatch([], []))  # merge what a busy moment staged
    for table, key in (("articles", "article_id"), ("claims", "claim_id"), ("events", "event_id")):
        total, distinct = run_sql(
            warehouse_path, f"SELECT count(*), count(DISTINCT {key}) FROM {table}"
        ).rows[0]
        assert total == distinct > 0, table
    assert run_sql(warehouse_path, "SELECT count(*) FROM articles").rows == [(1,)]
    assert run_sql(warehouse_path, "SELECT count(*) FROM runs").rows == [(2,)]


# -- sources overlap: the next one is fetched while this one is extracted ----------------------


def _slow_page(body: bytes, delay: float):
    def respond(request: Request) -> Response:
        time.sleep(delay)
        return Response(body, content_type="text/html; charset=utf-8")

    return respond


@pytest.fixture
def two_feed_site(httpserver: HTTPServer) -> HTTPServer:
    """Feed `a` with two slow pages (each answers after a second), feed `b` with one at once."""
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    pages = {
        "a": ["kenya-ethiopia-border.html", "chile-peru-fishing.html"],
        "b": ["nordic-grid-fund.html"],
    }
    for feed, names in pages.items():
        items = "".join(
            f"<item><title>{name}</title><link>{httpserver.url_for(f'/{feed}/{name}')}</link></item>"
            for name in names
        )
        httpserver.expect_request(f"/{feed}.xml").respond_with_data(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>{items}'
            "</channel></rss>",
            content_type="application/rss+xml",
        )
        for name in names:
            body = (PAGES / name).read_bytes()
            handler = _slow_page(body, 1.0 if feed == "a" else 0.0)
            httpserver.expect_request(f"/{feed}/{name}").respond_with_handler(handler)
    return httpserver


def test_the_next_source_is_fetched_during_extraction_and_loads_keep_their_order(
    prefect_server, tmp_path, two_feed_site, warehouse_path
):
    from flows.ingest import ingest

    path = tmp_path / "two-feeds.yaml"
    config = {
        "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
        "sources": [
            {"name": feed, "kind": "feed", "url": two_feed_site.url_for(f"/{feed}.xml")}
            for feed in ("a", "b")
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")

    summary = ingest(str(path), str(warehouse_path))

    assert [(r["source"], r["new_articles"]) for r in summary["per_source"]] == [("a", 2), ("b", 1)]
    runs = _task_runs(summary["run_id"], {"fetch": 2, "parse-and-extract": 2, "load": 2})
    # While `a` was parsed and extracted, `b`'s pages were already being fetched ...
    assert runs["fetch"][1].start_time < runs["parse-and-extract"][0].end_time
    # ... but `b` was loaded only after `a`: one transaction per source, in source order.
    assert runs["load"][1].start_time >= runs["load"][0].end_time
    a_loaded, b_loaded = run_sql(
        warehouse_path,
        "SELECT max(loaded_at) FILTER (WHERE url LIKE '%/a/%'),"
        " min(loaded_at) FILTER (WHERE url LIKE '%/b/%') FROM articles",
    ).rows[0]
    assert a_loaded < b_loaded


def _task_runs(run_id: str, expected: dict[str, int], wait: float = 60.0) -> dict[str, list]:
    """The flow run's finished task runs by name, in order of start; Prefect records them from
    events, a moment after the flow returns, so this waits until `expected` counts are there."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + wait
    with get_client(sync_client=True) as client:
        while True:
            found = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)]))
            )
            done = sorted((r for r in found if r.end_time), key=lambda r: r.start_time)
            by_name = {
                name: [r for r in done if r.name.startswith(name + "-")] for name in expected
            }
            if all(len(by_name[n]) == count for n, count in expected.items()):
                return by_name
            assert time.monotonic() < deadline, f"task runs not recorded: {by_name}"
            time.sleep(0.5)


def _feed_a_only(tmp_path: Path, site: HTTPServer) -> Path:
    """A sources file with feed `a` of `two_feed_site` alone."""
    path = tmp_path / "one-feed.yaml"
    config = {
        "fetch": {"allow_private_addresses": True, "retries": 0, "delay_seconds": 0},
        "sources": [{"name": "a", "kind": "feed", "url": site.url_for("/a.xml")}],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_a_source_goes_through_in_chunks_that_add_up(
    prefect_server, tmp_path, two_feed_site, warehouse_path, monkeypatch
):
    import flows.ingest
    from flows.ingest import ingest

    monkeypatch.setattr(flows.ingest, "CHUNK_SIZE", 1)
    summary = ingest(str(_feed_a_only(tmp_path, two_feed_site)), str(warehouse_path))

    [source] = summary["per_source"]
    assert (source["discovered"], source["fetched"], source["new_articles"]) == (2, 2, 2)
    assert source["status"] == "loaded"
    stored = _counts(warehouse_path)
    assert (source["claims"], source["events"]) == (stored["claims"], stored["events"])
    runs = _task_runs(summary["run_id"], {"fetch": 2, "parse-and-extract": 2, "load": 2})
    assert runs["load"][1].start_time >= runs["load"][0].end_time
    # The feed's own fetch (and with it its validators) is stored, once, with the last chunk.
    feed_log = "SELECT count(*) FROM fetch_log WHERE url LIKE '%/a.xml'"
    assert run_sql(warehouse_path, feed_log).rows[0][0] == 1


@dataclass
class _Noted:
    """A batch's result, noted in `steps` when it is asked for."""

    steps: list[tuple[str, str, str]]
    step: tuple[str, str, str]
    outcome: Result[Any]

    def result(self) -> Any:
        self.steps.append(("collected", *self.step[1:]))
        return self.outcome.result()


@dataclass
class _NotingCompute:
    """Runs batches here, as InProcess does, noting when each is queued and collected."""

    steps: list[tuple[str, str, str]] = field(default_factory=list)

    def submit(self, function: Callable[[Any], Any], batch: Any) -> _Noted:
        step = ("queued", function.__name__, batch[0].url.rsplit("/", 1)[-1])
        self.steps.append(step)
        return _Noted(self.steps, step, InProcess().submit(function, batch))


def test_the_next_chunk_is_queued_for_parsing_before_this_one_is_collected(
    prefect_server, tmp_path, two_feed_site, warehouse_path, monkeypatch
):
    import flows.ingest
    import tasks.articles
    from flows.ingest import ingest

    compute = _NotingCompute()
    monkeypatch.setattr(flows.ingest, "open_compute", lambda *_: nullcontext(compute))
    monkeypatch.setattr(flows.ingest, "CHUNK_SIZE", 1)
    monkeypatch.setattr(tasks.articles, "POOL_THRESHOLD", 1)  # even one page goes to `compute`
    summary = ingest(str(_feed_a_only(tmp_path, two_feed_site)), str(warehouse_path))

    assert summary["per_source"][0]["new_articles"] == 2
    first, second = "kenya-ethiopia-border.html", "chile-peru-fishing.html"
    # The workers never wait at the seam: the second chunk's parse is queued behind the first
    # chunk's extraction, before the flow waits for the first chunk's records.
    assert compute.steps == [
        ("queued", "parse_documents", first),
        ("collected", "parse_documents", first),
        ("queued", "extract_originals", first),
        ("queued", "parse_documents", second),
        ("collected", "extract_originals", first),
        ("collected", "parse_documents", second),
        ("queued", "extract_originals", second),
        ("collected", "extract_originals", second),
    ]
