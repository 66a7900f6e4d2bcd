"""What a run shows in the Prefect UI: a table per source, the slowest sources, a summary.

The builders are plain functions (tested without Prefect); `publish_run_artifacts` hands their
output to Prefect, which keeps it with the flow run (the run's "Artifacts" tab).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.quality import QualityCheck
from warehouse.runs import RunSummary

__all__ = ["publish_run_artifacts", "source_table", "summary_markdown"]

SLOWEST = 5


class _SourceRow(Protocol):
    source: str
    new_articles: int
    updated: int
    unchanged: int
    errors: int
    seconds: float
    status: str
    messages: list[str]


def source_table(results: Sequence[_SourceRow]) -> list[dict[str, Any]]:
    """One row per source: new, updated, unchanged and failed, and how long it took."""
    return [
        {
            "source": r.source,
            "status": r.status,
            "new": r.new_articles,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "failed": r.errors,
            "seconds": round(r.seconds, 2),
            "first error": r.messages[0] if r.messages else "",
        }
        for r in results
    ]


def slowest(results: Sequence[_SourceRow], count: int = SLOWEST) -> list[_SourceRow]:
    return sorted(results, key=lambda r: r.seconds, reverse=True)[:count]


def summary_markdown(
    summary: RunSummary, results: Sequence[_SourceRow], checks: Sequence[QualityCheck]
) -> str:
    """The run in a few lines: counts added, slowest sources, failures, data quality."""
    lines = [
        f"# {summary.flow} run: {summary.status}",
        "",
        "| added | count |",
        "| --- | ---: |",
        f"| new articles | {summary.new_articles} |",
        f"| updated articles | {summary.updated_articles} |",
        f"| claims | {summary.claims} |",
        f"| events | {summary.events} |",
        f"| failed fetches and parses | {summary.errors} |",
        f"| batches staged (warehouse busy) | {summary.staged_batches} |",
        "",
        "## Slowest sources",
        "",
        *(f"- {r.source}: {r.seconds:.2f} s ({r.status})" for r in slowest(results)),
    ]
    failed = [r for r in results if r.messages]
    if failed:
        lines += ["", "## Failures", ""]
        lines += [f"- {r.source}: {message}" for r in failed for message in r.messages[:3]]
    if checks:
        lines += ["", "## Data quality", "", *(f"- {check.line()}" for check in checks)]
    if summary.message:
        lines += ["", f"_{summary.message}_"]
    return "\n".join(lines) + "\n"


def quality_table(checks: Sequence[QualityCheck]) -> list[dict[str, Any]]:
    return [
        {
            "check": c.name,
            "bad": c.bad,
            "total": c.total,
            "share": round(c.share, 3),
            "threshold": c.threshold,
            "failed": c.failed,
        }
        for c in checks
    ]


def publish_run_artifacts(
    summary: RunSummary, results: Sequence[_SourceRow], checks: Sequence[QualityCheck]
) -> None:
    """Attach the tables and the summary to the current flow run (keys: `<flow>-...`)."""
    flow = summary.flow
    if results:
        create_table_artifact(
            source_table(results), key=f"{flow}-sources", description="per-source results"
        )
    if checks:
        create_table_artifact(
            quality_table(checks), key=f"{flow}-quality", description="data-quality checks"
        )
    create_markdown_artifact(
        summary_markdown(summary, results, checks), key=f"{flow}-summary", description="summary"
    )
