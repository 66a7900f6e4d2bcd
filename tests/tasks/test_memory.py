from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tasks.memory import release_free_memory

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and needs glibc"
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _fragment_an_arena(kept: list[bytes]) -> None:
    # 60,000 blocks of 2 kB (above pymalloc's limit, so from malloc), in a thread of its own as a
    # fetch or load thread would; every 64th is kept, so the freed ones lie below live ones and
    # malloc cannot give them back by shrinking the heap's top.
    blocks = [bytes(2048) for _ in range(60_000)]
    kept.extend(blocks[::64])


def test_free_pages_kept_by_a_threads_arena_go_back_to_the_system():
    kept: list[bytes] = []
    thread = threading.Thread(target=_fragment_an_arena, args=(kept,))
    thread.start()
    thread.join()
    before = _rss_mb()

    assert release_free_memory()

    assert before - _rss_mb() > 50  # of the ~120 MB freed
    assert len(kept) == 938  # the live blocks are untouched


_DISTIL = """
import json, sys
from tasks.memory import built_compactly

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def distil():
    # a big table parsed from JSON, of which a small index is kept (as tasks/places.py does)
    records = json.loads(json.dumps([{"name": f"city {i}", "tz": "x" * 40, "alt": ["a"] * 8,
                                      "pop": i} for i in range(200_000)]))
    return {r["name"]: r["pop"] for r in records[::20]}

before = rss_mb()
kept = built_compactly(distil) if sys.argv[1] == "compact" else distil()
print(len(kept), rss_mb() - before)
"""


def _distilled(how: str) -> tuple[int, float]:
    done = subprocess.run(
        [sys.executable, "-c", _DISTIL, how],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    kept, grown = done.stdout.split()
    return int(kept), float(grown)


def test_a_table_built_compactly_does_not_pin_what_it_was_built_from():
    kept, grown = _distilled("compact")
    kept_plain, grown_plain = _distilled("plain")

    assert kept == kept_plain == 10_000
    assert grown < grown_plain / 3
