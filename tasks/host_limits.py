"""Per-host politeness held by every process at once: Prefect global concurrency limits.

tasks/fetch.py keeps `max_in_flight_per_host` and `delay_seconds` with counters of its own process.
When several workers fetch (shards of the sources, on one machine or many), each would keep them
alone and a shared host would see the sum. With `fetch.global_host_limits` on, the Prefect server
keeps them instead, in two limits per host, created on first use:

- `newsflow-host-<host>`: `max_in_flight_per_host` slots; a request is sent only while its
  process holds one of them;
- `newsflow-host-<host>-starts`: one slot decaying at 1/delay per second, taken (`rate_limit`)
  right before a request starts, so that starts to the host are `delay` seconds apart at least,
  whoever sends them (robots.txt's Crawl-delay included: the delay is the request's own).

Asking the server for an in-flight slot per request would cost a few round trips each (about
0.2 s here) and Prefect queues one process's requests for one limit one after another, so a
process keeps the slots it got and lends them to its threads, one request at a time per slot. A
slot goes back to the server once idle for `LINGER_SECONDS`, or when it comes back after being
held `MAX_HOLD_SECONDS` (other workers get their turn), and at exit; a process that dies holding
one loses it when its lease ends (`LEASE_SECONDS`).

When processes configure one host differently, the strictest setting wins: a limit is created or
tightened here, never loosened (loosen it with `prefect global-concurrency-limit update`).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.errors import FetchError

if TYPE_CHECKING:  # Prefect is imported only when global limits are on
    from prefect.client.orchestration import SyncPrefectClient

__all__ = ["HostLimitNames", "global_host_slot", "host_limit_names", "let_go_idle_slots"]

# A host busy with other workers may keep us waiting; past this a fetch attempt gives up
# (transient: the attempt is retried like a connection failure).
ACQUIRE_TIMEOUT_SECONDS = 600.0
LINGER_SECONDS = 1.0
MAX_HOLD_SECONDS = 20.0
LEASE_SECONDS = 60.0  # Prefect's shortest lease
_PREFIX = "newsflow-host-"
# Characters Prefect refuses in a name (prefect.types.names.BANNED_CHARACTERS).
_BANNED = str.maketrans({character: "_" for character in "/%&><"})


@dataclass(frozen=True)
class HostLimitNames:
    in_flight: str
    starts: str


def host_limit_names(host: str) -> HostLimitNames:
    """The names of `host`'s two limits; `host` is "name[:port]" (credentials are dropped)."""
    bare = host.rpartition("@")[2].lower().translate(_BANNED)
    return HostLimitNames(f"{_PREFIX}{bare}", f"{_PREFIX}{bare}-starts")


@contextmanager
def global_host_slot(host: str, in_flight: int, delay: float) -> Iterator[None]:
    """Hold one of `host`'s in-flight slots, and its start turn, across every process.

    Raises FetchError (transient) when the Prefect server cannot be asked or keeps us waiting
    past ACQUIRE_TIMEOUT_SECONDS.
    """
    names = host_limit_names(host)
    try:
        _ensure_limits(names, max(1, in_flight), delay)
        pool = _pool_for(names.in_flight, max(1, in_flight))
        slot = pool.borrow()
    except Exception as exc:  # noqa: BLE001 - the one point where Prefect's errors are translated
        raise _unavailable(names.in_flight, exc) from exc
    try:
        if delay > 0:
            try:
                _rate_limit(names.starts)
            except Exception as exc:  # noqa: BLE001 - as above
                raise _unavailable(names.starts, exc) from exc
        yield
    finally:
        pool.give_back(slot)


def _unavailable(name: str, exc: BaseException) -> FetchError:
    return FetchError(
        f"global host limit {name!r} unavailable ({type(exc).__name__}: {exc})", transient=True
    )


def _rate_limit(name: str) -> None:
    from prefect.concurrency.sync import rate_limit

    rate_limit(name, timeout_seconds=ACQUIRE_TIMEOUT_SECONDS, strict=True)


# -- in-flight slots held by this process ------------------------------------------------------


class _HeldSlot:
    """One slot of a limit, held by a thread of its own inside Prefect's `concurrency()` (which
    renews its lease) until let go."""

    def __init__(self, name: str, pool: _HostSlots) -> None:
        self._pool = pool
        self.acquired_at = 0.0
        self.idle_since: float | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._let_go = threading.Event()
        self._thread = threading.Thread(
            target=self._hold, args=(name,), name=f"hold {name}", daemon=True
        )
        self._thread.start()

    def wait_acquired(self) -> None:
        self._ready.wait()
        if self.error is not None:
            raise self.error

    def let_go(self) -> None:
        self._let_go.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _hold(self, name: str) -> None:
        from prefect.concurrency.sync import concurrency

        try:
            with concurrency(
                name,
                timeout_seconds=ACQUIRE_TIMEOUT_SECONDS,
                lease_duration=LEASE_SECONDS,
                strict=True,
                raise_on_lease_renewal_failure=False,
            ):
                self.acquired_at = time.monotonic()
                self._ready.set()
                while not self._let_go.wait(LINGER_SECONDS):
                    if self._pool.expire(self):
                        break
        except BaseException as exc:  # noqa: BLE001 - handed to the borrower, raised there
            if not self._ready.is_set():
                self.error = exc
        finally:
            self._ready.set()


class _HostSlots:
    """The slots of one in-flight limit this process holds, lent to its threads one at a time."""

    def __init__(self, name: str, slots: int) -> None:
        self.name = name
        self.slots = slots
        self._changed = threading.Condition()
        self._idle: list[_HeldSlot] = []
        self._held: set[_HeldSlot] = set()
        self._asking = 0

    def borrow(self) -> _HeldSlot:
        with self._changed:
            while not self._idle and len(self._held) + self._asking >= self.slots:
                self._changed.wait()
            if self._idle:
                slot = self._idle.pop()
                slot.idle_since = None
                return slot
            self._asking += 1
        slot = _HeldSlot(self.name, self)
        try:
            slot.wait_acquired()
        finally:
            with self._changed:
                self._asking -= 1
                if slot.error is None:
                    self._held.add(slot)
                self._changed.notify()
        return slot

    def give_back(self, slot: _HeldSlot) -> None:
        with self._changed:
            if time.monotonic() - slot.acquired_at >= MAX_HOLD_SECONDS:
                self._held.discard(slot)
                slot.let_go()
            else:
                slot.idle_since = time.monotonic()
                self._idle.append(slot)
            self._changed.notify()

    def expire(self, slot: _HeldSlot) -> bool:
        """Asked by the slot's own thread every LINGER_SECONDS: let go if idle as long."""
        with self._changed:
            idle_since = slot.idle_since
            if idle_since is None or time.monotonic() - idle_since < LINGER_SECONDS:
                return False
            self._idle.remove(slot)
            self._held.discard(slot)
            self._changed.notify()
            return True

    def let_go_idle(self) -> list[_HeldSlot]:
        with self._changed:
            idle, self._idle = self._idle, []
            for slot in idle:
                self._held.discard(slot)
                slot.let_go()
            self._changed.notify_all()
        return idle


_POOLS: dict[str, _HostSlots] = {}
_POOLS_LOCK = threading.Lock()


def _pool_for(name: str, slots: int) -> _HostSlots:
    with _POOLS_LOCK:
        pool = _POOLS.get(name)
        if pool is None:
            pool = _POOLS[name] = _HostSlots(name, slots)
            if len(_POOLS) == 1:
                atexit.register(let_go_idle_slots)
        pool.slots = min(pool.slots, slots)  # a stricter setting seen later applies at once
        return pool


def let_go_idle_slots(wait_seconds: float = 5.0) -> None:
    """Give the slots nobody is using back to the server now (and wait for that to be done)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    idle = [slot for pool in pools for slot in pool.let_go_idle()]
    deadline = time.monotonic() + wait_seconds
    for slot in idle:
        slot.join(max(0.0, deadline - time.monotonic()))


# -- creating the limits ---------------------------------------------------------------------

# (slots, delay) each host's limits were made at least as strict as, by this process: the server
# is asked once per host and process, not once per request. One lock per host, so that the
# first requests to different hosts (a run's discoveries start together) ask at the same time.
_ENSURED: dict[str, tuple[int, float]] = {}
_ENSURING: dict[str, threading.Lock] = {}
_ENSURING_LOCK = threading.Lock()


def _ensure_limits(names: HostLimitNames, slots: int, delay: float) -> None:
    with _ENSURING_LOCK:
        lock = _ENSURING.setdefault(names.in_flight, threading.Lock())
    with lock:
        done = _ENSURED.get(names.in_flight)
        if done is not None and done[0] <= slots and done[1] >= delay:
            return
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            _tighten(client, names.in_flight, slots, 0.0)
            if delay > 0:
                # One start per `delay` seconds: one slot, freed by decay after `delay`.
                _tighten(client, names.starts, 1, 1.0 / delay)
        _ENSURED[names.in_flight] = (slots, delay)


def _tighten(client: SyncPrefectClient, name: str, limit: int, decay: float) -> None:
    """Create the limit, or make an existing one at least as strict as (limit, decay)."""
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    wanted = GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=decay)
    try:
        existing = client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        try:
            client.create_global_concurrency_limit(wanted)
            return
        except ObjectAlreadyExists:  # another worker made it meanwhile
            existing = client.read_global_concurrency_limit_by_name(name)
    changes: dict[str, object] = {}
    if existing.limit > limit:
        changes["limit"] = limit
    current_decay = existing.slot_decay_per_second or 0.0
    # A slower decay is a longer delay; a starts limit without decay would never free its slot.
    if decay and (current_decay == 0.0 or current_decay > decay):
        changes["slot_decay_per_second"] = decay
    if changes:
        client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(**changes))
