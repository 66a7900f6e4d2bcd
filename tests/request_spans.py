"""Server-side timing of requests on a loopback server (`threaded_server`, in tests/conftest.py):
when each arrived and left, and how many were in flight at once (for tests of per-host limits)."""

from __future__ import annotations

import time
from collections.abc import Callable

from werkzeug import Request, Response

Span = tuple[float, float]


def recording_handler(spans: list[Span], pause: float) -> Callable[[Request], Response]:
    """A handler that notes when each request arrived and left, after `pause` seconds."""

    def handler(request: Request) -> Response:
        arrived = time.monotonic()
        time.sleep(pause)
        spans.append((arrived, time.monotonic()))
        return Response("ok")

    return handler


def most_at_once(spans: list[Span]) -> int:
    """The most requests in flight at one moment."""
    # An end sorts before a start at the same instant: back to back is not overlapping.
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    return most
