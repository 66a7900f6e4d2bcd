"""The run log: one row in `runs` for every ingest, reprocess or maintenance run.

A run writes its row twice: when it starts (status `running`) and when it ends (`completed` or
`failed`, with the message Prefect shows), so a run that crashed stays visible as `running`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from warehouse.db import connect

__all__ = ["RunSummary", "record_run", "run_row", "upsert_run"]

_COLUMNS = (
    "run_id",
    "started_at",
    "finished_at",
    "sources",
    "new_articles",
    "claims",
    "events",
    "errors",
    "flow",
    "status",
    "message",
    "updated_articles",
    "staged_batches",
)
_TIMES = ("started_at", "finished_at")
# Parameter types where not VARCHAR (a MERGE source needs them spelled out).
_COUNTS = ("sources", "new_articles", "claims", "events", "errors", "updated_articles")
_TYPES = {
    **dict.fromkeys(_TIMES, "TIMESTAMP"),
    **dict.fromkeys((*_COUNTS, "staged_batches"), "INTEGER"),
}


class _SourceCounts(Protocol):
    new_articles: int
    claims: int
    events: int
    errors: int


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    sources: int
    new_articles: int
    claims: int
    events: int
    errors: int
    flow: str = "ingest"
    status: str = "completed"
    message: str | None = None
    updated_articles: int = 0
    staged_batches: int = 0

    @classmethod
    def from_results(
        cls, run_id: str, started_at: datetime, results: Iterable[_SourceCounts], **extra: Any
    ) -> RunSummary:
        results = list(results)
        return cls(
            run_id=run_id,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            sources=len(results),
            new_articles=sum(r.new_articles for r in results),
            claims=sum(r.claims for r in results),
            events=sum(r.events for r in results),
            errors=sum(r.errors for r in results),
            **extra,
        )

    @classmethod
    def started(cls, run_id: str, started_at: datetime, flow: str, sources: int) -> RunSummary:
        """The row a run writes before it does anything."""
        return cls(run_id, started_at, None, sources, 0, 0, 0, 0, flow=flow, status="running")

    def with_status(self, status: str, message: str | None) -> RunSummary:
        return replace(self, status=status, message=message)

    def line(self) -> str:
        return (
            f"{self.sources} sources, {self.new_articles} new articles, {self.claims} claims, "
            f"{self.events} events, {self.errors} errors"
        )


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def run_row(summary: RunSummary) -> dict[str, Any]:
    """The `runs` row of `summary`, JSON-safe (times as ISO strings), so it can be staged."""
    row = {column: getattr(summary, column) for column in _COLUMNS}
    for column in _TIMES:
        value = _naive_utc(row[column])
        row[column] = value.isoformat() if value else None
    return row


def upsert_run(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """Insert or update one `runs` row (from `run_row`) through an open connection."""
    values = [
        datetime.fromisoformat(row[c]) if c in _TIMES and row.get(c) else row.get(c)
        for c in _COLUMNS
    ]
    incoming = ", ".join(f"?::{_TYPES.get(c, 'VARCHAR')} AS {c}" for c in _COLUMNS)
    updates = ", ".join(f"{c} = s.{c}" for c in _COLUMNS[1:])
    con.execute(
        f"MERGE INTO runs USING (SELECT {incoming}) s USING (run_id)"
        f" WHEN MATCHED THEN UPDATE SET {updates} WHEN NOT MATCHED THEN INSERT BY NAME",
        values,
    )


def record_run(warehouse: Path | str | None, summary: RunSummary) -> None:
    """Write `summary`'s row now (waiting for the lock like any reader); see also staging."""
    with connect(warehouse) as con:
        upsert_run(con, run_row(summary))
