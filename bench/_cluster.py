"""A Prefect cluster on this machine, for bench/workers.py and tests/flows/test_workers.py:
`prefect server start` (on a fresh PostgreSQL database, or on SQLite), a `process` work pool and
`prefect worker start` processes, every one of them killed when the cluster stops, with whatever
flow runs they started (those live in sessions of their own, so a process-group kill misses them).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

PREFECT = Path(sys.executable).with_name("prefect")
# Set by .ci/postgres: a PostgreSQL server where the user may create databases (libpq keywords).
POSTGRES_ENV = "NEWSFLOW_TEST_POSTGRES"
STARTUP_SECONDS = 120


# -- PostgreSQL ------------------------------------------------------------------------------


def libpq_fields(dsn: str) -> dict[str, str]:
    """`host=... port=... user=...` (libpq's keyword form) as a dict."""
    return dict(part.partition("=")[::2] for part in shlex.split(dsn))


def postgres_execute(fields: dict[str, str], statement: str) -> None:
    """Run one statement on the server (asyncpg: a dependency of Prefect's PostgreSQL support)."""
    import asyncpg

    async def call() -> None:
        con = await asyncpg.connect(
            host=fields.get("host", "127.0.0.1"),
            port=int(fields.get("port", "5432")),
            user=fields.get("user"),
            password=fields.get("password"),
            database=fields.get("dbname", "postgres"),
            timeout=10,
        )
        try:
            await con.execute(statement)
        finally:
            await con.close()

    asyncio.run(call())


@contextmanager
def fresh_database(fields: dict[str, str], purpose: str) -> Iterator[dict[str, str]]:
    """A new, empty database on the server, dropped afterwards: its connection fields."""
    name = f"newsflow_{purpose}_{uuid.uuid4().hex[:10]}"
    postgres_execute(fields, f'CREATE DATABASE "{name}"')
    try:
        yield {**fields, "dbname": name}
    finally:
        postgres_execute(fields, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def asyncpg_url(fields: dict[str, str]) -> str:
    """The SQLAlchemy URL Prefect's server takes (PREFECT_API_DATABASE_CONNECTION_URL)."""
    return (
        f"postgresql+asyncpg://{fields['user']}:{fields.get('password', '')}"
        f"@{fields.get('host', '127.0.0.1')}:{fields.get('port', '5432')}/{fields['dbname']}"
    )


def libpq_dsn(fields: dict[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in fields.items())


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process, from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        table[int(stat.parent.name)] = (int(parent), state)
    return table


def _descendants(root: int) -> list[int]:
    table = _process_table()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _signal_all(pids: Sequence[int], sig: signal.Signals) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


def kill_tree(process: subprocess.Popen) -> None:
    """SIGTERM to the process and everything below it; SIGKILL to what is left after 10 s."""
    tree = [*_descendants(process.pid), process.pid]
    _signal_all(tree, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        process.poll()  # reaps our own child
        table = _process_table()
        if all(pid not in table or table[pid][1] == "Z" for pid in tree):
            break
        time.sleep(0.2)
    _signal_all(tree, signal.SIGKILL)
    process.wait()


class Cluster:
    """The processes of one local cluster, each logging to a file in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.api = ""
        self.started: list[tuple[str, subprocess.Popen]] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        self.env = {
            **env,
            "PREFECT_HOME": str(folder / "prefect-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }

    def start(self, name: str, command: Sequence[str], **env: str) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("w") as log:
            process = subprocess.Popen(
                list(command),
                cwd=self.folder,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log(name)[-3000:]}")

    def start_server(self, database_url: str | None = None) -> str:
        """`prefect server start` on a free port (its database: `database_url`, else SQLite)."""
        port = free_port()
        database = {"PREFECT_API_DATABASE_CONNECTION_URL": database_url} if database_url else {}
        self.start(
            "server",
            [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            # Runs are started by hand here; the scheduler would add the interval's own.
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
            PREFECT_UI_ENABLED="false",
            **database,
        )
        self.api = f"http://127.0.0.1:{port}/api"
        self._wait_for_health()
        return self.api

    def _wait_for_health(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            with suppress(httpx.HTTPError):
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"the Prefect server did not answer within {STARTUP_SECONDS} s")

    def start_workers(self, pool: str, count: int, *, prefix: str = "worker") -> list[str]:
        """`count` process workers of `pool`, one flow run at a time each; their names."""
        names = [f"{prefix}-{n}" for n in range(1, count + 1)]
        for name in names:
            self.start(
                name,
                [str(PREFECT), "worker", "start", "--pool", pool, "--name", name, "--limit", "1"],
                PREFECT_API_URL=self.api,
                PREFECT_WORKER_QUERY_SECONDS="1",
            )
        return names

    def stop(self, name: str) -> None:
        for started, process in self.started:
            if started == name:
                kill_tree(process)
        self.started = [(n, p) for n, p in self.started if n != name]

    def stop_all(self) -> None:
        for _, process in reversed(self.started):
            kill_tree(process)
        self.started.clear()


@contextmanager
def local_cluster(folder: Path, database_url: str | None = None) -> Iterator[Cluster]:
    """A Prefect server (workers are added with `start_workers`); everything stops on exit."""
    cluster = Cluster(folder)
    try:
        cluster.start_server(database_url)
        yield cluster
    finally:
        cluster.stop_all()


# -- the Prefect API of a cluster --------------------------------------------------------------


@contextmanager
def using_api(api: str) -> Iterator[None]:
    """Prefect calls of this process go to `api`."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        yield


def create_process_pool(api: str, name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    with using_api(api), get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=name, type="process"), overwrite=True)


def await_runs(cluster: Cluster, run_ids: Sequence[Any], timeout: float) -> list[Any]:
    """The flow runs once every one is in a final state (RuntimeError past `timeout` s)."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with using_api(cluster.api), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            cluster.check_alive()
            runs = [client.read_flow_run(run_id) for run_id in run_ids]
            if all(run.state and run.state.is_final() for run in runs):
                return runs
            time.sleep(0.5)
    raise RuntimeError(f"the runs did not finish within {timeout} s")
