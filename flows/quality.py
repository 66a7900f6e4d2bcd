"""Data-quality checks run after each load, over what that run added.

Each check is a share of the rows the run loaded (articles loaded since the run started, and their
claims and events). A run fails only when a share goes over its threshold *and* the run loaded at
least `min_rows` rows of that kind: one odd article in a quiet run is reported, never fatal.

- articles without text (under 50 characters): fails above 10 %. Parsing already refuses empty
  pages, so a tenth of near-empty ones means a source's page layout changed under us.
- claims without a source (`source` missing or blank): fails above 20 %. Every claim the extractor
  makes is tied to a speaker span; many without one means the extractor broke.
- events without a date: fails above 50 %. An event takes its article's date when its sentence
  names none, so only undated articles give undated events; half of them is a parsing problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from schemas.errors import NewsflowError
from warehouse.db import connect

__all__ = ["QualityCheck", "QualityCheckFailed", "QualityThresholds", "check_quality"]

MIN_TEXT_CHARS = 50


class QualityCheckFailed(NewsflowError):
    """A run loaded data whose quality crossed a documented threshold."""

    stage = "quality"


@dataclass(frozen=True)
class QualityThresholds:
    articles_without_text: float = 0.10
    claims_without_source: float = 0.20
    events_without_date: float = 0.50
    min_rows: int = 10


@dataclass(frozen=True)
class QualityCheck:
    name: str
    bad: int
    total: int
    threshold: float
    min_rows: int

    @property
    def share(self) -> float:
        return self.bad / self.total if self.total else 0.0

    @property
    def failed(self) -> bool:
        return self.total >= self.min_rows and self.share > self.threshold

    def line(self) -> str:
        verdict = "FAILED" if self.failed else "ok"
        return (
            f"{self.name}: {self.bad} of {self.total} ({self.share:.0%}; "
            f"fails above {self.threshold:.0%} of at least {self.min_rows}) {verdict}"
        )


_ARTICLES = "SELECT article_id, text FROM articles WHERE loaded_at >= ?"
_QUERIES = {
    "articles without text": (
        f"SELECT count(*) FILTER (WHERE length(trim(text)) < {MIN_TEXT_CHARS}), count(*)"
        f" FROM ({_ARTICLES})"
    ),
    "claims without a source": (
        "SELECT count(*) FILTER (WHERE source IS NULL OR trim(source) = ''), count(*)"
        f" FROM claims WHERE article_id IN (SELECT article_id FROM ({_ARTICLES}))"
    ),
    "events without a date": (
        "SELECT count(*) FILTER (WHERE event_date IS NULL), count(*)"
        f" FROM events WHERE article_id IN (SELECT article_id FROM ({_ARTICLES}))"
    ),
}


def check_quality(
    warehouse: Path, since: datetime, thresholds: QualityThresholds = QualityThresholds()
) -> list[QualityCheck]:
    """The checks over articles loaded at or after `since` (naive UTC) and their rows."""
    limits = {
        "articles without text": thresholds.articles_without_text,
        "claims without a source": thresholds.claims_without_source,
        "events without a date": thresholds.events_without_date,
    }
    checks = []
    with connect(warehouse, read_only=True) as con:
        for name, query in _QUERIES.items():
            bad, total = con.execute(query, [since]).fetchone() or (0, 0)
            checks.append(QualityCheck(name, bad, total, limits[name], thresholds.min_rows))
    return checks
