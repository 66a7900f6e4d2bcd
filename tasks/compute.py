"""Where parse and NLP batches run: in this process, in a pool of local processes, or on Dask.

spaCy's parse is nine tenths of an article's cost and holds the GIL, so threads do not help; a
pool of processes (one per core) does. Each worker loads the pipeline once and keeps it for the
run. The pool starts on the first batch big enough to pay for it, so a run with nothing new never
starts one. On a Dask cluster the same batches run as Prefect tasks through prefect-dask's
`DaskTaskRunner` (see `flows/compute.py`); the stage code does not know which it runs on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from tasks.memory import release_free_memory

__all__ = ["Compute", "Deferred", "InProcess", "LocalProcesses", "Result", "default_workers"]

T = TypeVar("T")
R = TypeVar("R")


class Result(Protocol[R]):  # a concurrent.futures.Future or a PrefectFuture
    def result(self) -> R: ...


class Compute(Protocol):
    """Runs `function(batch)` somewhere and hands back something with `.result()`."""

    def submit(self, function: Callable[[T], R], batch: T) -> Result[R]: ...


class InProcess:
    """Runs each batch here, when its result is first asked for, as a pool runs what is queued
    while its caller goes on: for tests, small batches and `--workers 1`."""

    def submit(self, function: Callable[[T], R], batch: T) -> Deferred[R]:
        return Deferred(function, batch)


class Deferred(Generic[R]):
    """`function(batch)`, run by the first `result()`; later calls give the same outcome."""

    def __init__(self, function: Callable[[T], R], batch: T) -> None:
        self._call: Callable[[], R] | None = partial(function, batch)
        self._outcome: Future[R] = Future()

    def result(self) -> R:
        if self._call is not None:
            call, self._call = self._call, None  # the batch is not kept once it has run
            try:
                self._outcome.set_result(call())
            except BaseException as error:  # noqa: BLE001 - handed to the caller, as a pool would
                self._outcome.set_exception(error)
        return self._outcome.result()


def default_workers() -> int:
    """`$NEWSFLOW_WORKERS`, else one process per core."""
    configured = os.environ.get("NEWSFLOW_WORKERS")
    return max(1, int(configured)) if configured else max(1, os.cpu_count() or 1)


def _warm_worker() -> None:
    # Load what every batch needs before the first one arrives: the pipeline, the event model and
    # the gazetteer (seconds each, once per worker).
    from tasks.event_model import default_model  # noqa: PLC0415 - heavy, only in workers
    from tasks.places import geocode  # noqa: PLC0415

    default_model()
    geocode("London")


def _run_and_release(function: Callable[[T], R], batch: T) -> R:
    try:
        return function(batch)
    finally:
        # A long article's parse takes hundreds of MB that malloc would keep after the batch.
        release_free_memory()


class LocalProcesses:
    """A pool of `workers` local processes, started on first use and closed with `close()`.

    Spawned, not forked: the parent runs Prefect's threads and an HTTP client, which a fork would
    copy mid-flight.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Executor | None = None

    def submit(self, function: Callable[[T], R], batch: T) -> Future[R]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_worker,
            )
        return self._pool.submit(_run_and_release, function, batch)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
