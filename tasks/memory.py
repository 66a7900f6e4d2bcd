"""Giving memory back to the system between batches.

A long run frees most of what it allocates (pages, parses, Arrow buffers), but glibc's malloc keeps
freed chunks in its arenas, one per thread that allocated, and returns to the system only what lies
at the top of each: the rest stays in the process's RSS for the whole run. At N = 10,000 articles
that was a third of the ingest process's memory (`bench/throughput.py`). `malloc_trim` hands every
arena's free pages back; it costs milliseconds, so it runs once per batch or chunk, not per article.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import pickle
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

__all__ = ["built_compactly", "release_free_memory"]

T = TypeVar("T")


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], Any] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; False where that cannot be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def built_compactly(build: Callable[[], T]) -> T:
    """What `build` returns, for a table kept for the whole run that is distilled from a much
    bigger one (a 17 MB JSON file of cities, say).

    The few objects kept were allocated among the many that were not, and Python's allocator
    can return an arena to the system only when all of it is free: the kept table would pin
    most of the big one's memory. Copied once the big one is gone, it lies in arenas of its own.
    """
    blob = pickle.dumps(build(), protocol=pickle.HIGHEST_PROTOCOL)
    gc.collect()
    release_free_memory()
    return pickle.loads(blob)  # noqa: S301 - our own bytes, made on the line above
