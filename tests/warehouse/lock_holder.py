"""Another process holding the warehouse file, as an analyst's DuckDB session would.

Opens the file (read-write, or read-only with `--read-only`), prints `held`, and keeps it open
until a line arrives on stdin.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SCRIPT = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro')\n"
    "print('held', flush=True)\n"
    "sys.stdin.readline()\n"
    "con.close()\n"
    "print('released', flush=True)\n"
)


class Holder:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    def release(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin and self._process.stdout
            self._process.stdin.write("\n")
            self._process.stdin.flush()
            assert self._process.stdout.readline().strip() == "released"
            self._process.wait(timeout=30)


@contextmanager
def held(path: Path, *, read_only: bool = False) -> Iterator[Holder]:
    """The warehouse at `path` held open by another process until the block ends or release()."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        yield Holder(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
