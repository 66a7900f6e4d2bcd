"""The run log: one row in `runs` for every ingest run, with what it added."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from warehouse.db import connect


class _SourceCounts(Protocol):
    new_articles: int
    claims: int
    events: int
    errors: int


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: datetime
    finished_at: datetime
    sources: int
    new_articles: int
    claims: int
    events: int
    errors: int

    @classmethod
    def from_results(
        cls, run_id: str, started_at: datetime, results: Iterable[_SourceCounts]
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
        )

    def line(self) -> str:
        return (
            f"{self.sources} sources, {self.new_articles} new articles, {self.claims} claims, "
            f"{self.events} events, {self.errors} errors"
        )


def record_run(warehouse: Path | str | None, summary: RunSummary) -> None:
    with connect(warehouse) as con:
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                summary.run_id,
                summary.started_at.astimezone(UTC).replace(tzinfo=None),
                summary.finished_at.astimezone(UTC).replace(tzinfo=None),
                summary.sources,
                summary.new_articles,
                summary.claims,
                summary.events,
                summary.errors,
            ],
        )
