"""Choosing where a run's parse and NLP batches go: local processes (default) or a Dask cluster.

    newsflow ingest                          # one local process per core
    newsflow ingest --workers 1              # everything in this process
    newsflow ingest --dask local             # a Dask LocalCluster started for the run
    newsflow ingest --dask tcp://10.0.0.5:8786   # an existing Dask scheduler

On Dask every batch is a Prefect task run (`parse-batch`, `extract-batch`) submitted through
prefect-dask's `DaskTaskRunner`, so it shows in the UI under its source's `parse-and-extract`.
Dask workers report to the Prefect API of the flow: give them one (`PREFECT_API_URL`, e.g. the
server of `make up`); in Prefect's local mode each Dask worker would start a temporary API of its
own, which works but costs seconds per worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from schemas.errors import ExtractError
from schemas.records import ArticleRecord, Document, FetchLogRecord, ParsedArticle
from tasks.articles import extract_originals, parse_documents
from tasks.compute import Compute, InProcess, LocalProcesses, default_workers

__all__ = ["DaskBatches", "open_compute"]

T = TypeVar("T")
R = TypeVar("R")
LOCAL_CLUSTER = "local"


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch(batch: list[Document]) -> tuple[list[ParsedArticle], list[FetchLogRecord]]:
    return parse_documents(batch)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(
    batch: list[ParsedArticle],
) -> tuple[list[ArticleRecord], list[tuple[str, ExtractError]]]:
    return extract_originals(batch)


# The stage functions tasks.articles hands to a compute, and the task that runs each on Dask
# (module-level, so that workers unpickle them by name).
_TASKS: dict[Callable[..., Any], Task[..., Any]] = {
    parse_documents: parse_batch,
    extract_originals: extract_batch,
}


class DaskBatches:
    """Batches as Prefect task runs on a Dask cluster."""

    def __init__(self, runner: Any) -> None:
        self._runner = runner  # an entered prefect_dask.DaskTaskRunner

    def submit(self, function: Callable[[T], R], batch: T) -> PrefectFuture[R]:
        return self._runner.submit(_TASKS[function], parameters={"batch": batch})


@contextmanager
def open_compute(dask: str | None = None, workers: int | None = None) -> Iterator[Compute]:
    """The compute for one run: Dask when `dask` (or `$NEWSFLOW_DASK_ADDRESS`) names a scheduler
    or `local`, else `workers` local processes (default: one per core; 1 = this process)."""
    address = dask or os.environ.get("NEWSFLOW_DASK_ADDRESS") or None
    count = workers or default_workers()
    if address:
        with _dask_runner(address, count) as runner:
            yield DaskBatches(runner)
    elif count > 1:
        with LocalProcesses(count) as pool:
            yield pool
    else:
        yield InProcess()


def _dask_runner(address: str, workers: int) -> Any:
    from prefect_dask import DaskTaskRunner  # noqa: PLC0415 - only runs that ask for Dask pay

    if address == LOCAL_CLUSTER:
        cluster = {"n_workers": workers, "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=cluster)
    return DaskTaskRunner(address=address)
