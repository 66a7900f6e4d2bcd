"""InProcess: a batch runs here when its result is first asked for, as a pool runs its queue."""

from __future__ import annotations

import pytest

from tasks.compute import InProcess


def test_a_batch_runs_only_when_its_result_is_asked_for_and_only_once() -> None:
    calls: list[list[int]] = []

    def total(batch: list[int]) -> int:
        calls.append(batch)
        return sum(batch)

    queued = InProcess().submit(total, [1, 2, 3])
    assert calls == []  # queued: nothing has run yet
    assert queued.result() == 6
    assert queued.result() == 6
    assert calls == [[1, 2, 3]]


def test_a_failing_batch_raises_its_error_at_every_result() -> None:
    calls = 0

    def broken(batch: str) -> str:
        nonlocal calls
        calls += 1
        raise ValueError(f"bad batch {batch}")

    queued = InProcess().submit(broken, "b1")
    for _ in range(2):
        with pytest.raises(ValueError, match="bad batch b1"):
            queued.result()
    assert calls == 1
