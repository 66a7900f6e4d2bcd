"""`newsflow report`: one self-contained HTML page about what the warehouse holds.

A timeline of events by type, the top actor pairs as a matrix, the most-cited speakers and the
health of the sources. Inline CSS and SVG only: the page opens offline and can be mailed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path

import duckdb

from schemas.records import PLOVER_TYPES
from warehouse.db import connect

# One colour per PLOVER type, cooperative types in greens and blues, conflictual in reds.
TYPE_COLOURS = dict(
    zip(
        PLOVER_TYPES,
        (
            "#1b9e77",
            "#377eb8",
            "#66c2a5",
            "#8da0cb",
            "#4daf4a",
            "#a6d854",
            "#b3b3b3",
            "#ffd92f",
            "#fc8d62",
            "#e78ac3",
            "#e41a1c",
            "#ff7f00",
            "#984ea3",
            "#a65628",
            "#f781bf",
            "#7f0000",
        ),
        strict=True,
    )
)
TOP_ACTORS = 12
TOP_SPEAKERS = 15


@dataclass(frozen=True)
class ReportData:
    since: date | None
    totals: dict[str, int]
    timeline: list[tuple[date, str, int]]  # (period start, event type, distinct events)
    period: str  # "week" or "month"
    pairs: list[tuple[str, str, int, str]]  # (actor, counterpart, events, types)
    speakers: list[tuple[str, str | None, int, int]]  # (speaker, kind, claims, direct quotes)
    sources: list[tuple]  # rows of source_health


def _since_clause(column: str, since: date | None) -> str:
    return f"{column} >= DATE '{since.isoformat()}'" if since else "TRUE"


def collect(con: duckdb.DuckDBPyConnection, since: date | None) -> ReportData:
    """Everything the page shows, read in a handful of queries."""
    events_since = _since_clause("event_date", since)
    articles_since = _since_clause("coalesce(published_at, fetched_at)", since)
    totals = dict(
        zip(
            ("articles", "claims", "events", "real_events", "sources"),
            con.execute(
                f"SELECT (SELECT count(*) FROM articles WHERE {articles_since}),"
                f" (SELECT count(*) FROM claims JOIN articles USING (article_id)"
                f"  WHERE {articles_since}),"
                f" (SELECT count(*) FROM events WHERE {events_since}),"
                f" (SELECT count(DISTINCT coalesce(cluster_id, event_id)) FROM events"
                f"  WHERE {events_since}),"
                " (SELECT count(DISTINCT source) FROM articles)"
            ).fetchone(),
            strict=True,
        )
    )
    span = con.execute(
        f"SELECT max(event_date) - min(event_date) FROM events WHERE {events_since}"
    ).fetchone()[0]
    period = "month" if span is not None and span > 180 else "week"
    timeline = con.execute(
        f"SELECT date_trunc('{period}', event_date)::DATE, event_type,"
        " count(DISTINCT coalesce(cluster_id, event_id))"
        f" FROM events WHERE event_date IS NOT NULL AND {events_since} GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    pairs = con.execute(
        "SELECT actor, counterpart, sum(events)::INTEGER AS n,"
        " string_agg(event_type || ' ' || events, ', ' ORDER BY events DESC)"
        f" FROM actor_pairs WHERE {_since_clause('last_date', since)}"
        " GROUP BY actor, counterpart ORDER BY n DESC, actor, counterpart LIMIT 200"
    ).fetchall()
    speakers = con.execute(
        "SELECT c.speaker, any_value(c.speaker_kind), count(*),"
        " count(*) FILTER (WHERE c.is_direct_quote)"
        " FROM claims c JOIN articles USING (article_id)"
        f" WHERE c.speaker IS NOT NULL AND {articles_since}"
        f" GROUP BY c.speaker ORDER BY 3 DESC, 1 LIMIT {TOP_SPEAKERS}"
    ).fetchall()
    sources = con.execute(
        "SELECT source, last_success, attempts, errors, error_rate, articles, articles_per_day,"
        " latest_error FROM source_health"
    ).fetchall()
    return ReportData(since, totals, timeline, period, pairs, speakers, sources)


def _timeline_svg(data: ReportData) -> str:
    if not data.timeline:
        return "<p class=empty>No dated events in this period.</p>"
    by_period: dict[date, dict[str, int]] = defaultdict(dict)
    for start, event_type, count in data.timeline:
        by_period[start][event_type] = count
    periods = sorted(by_period)
    tallest = max(sum(counts.values()) for counts in by_period.values())
    width, height, left, bottom = 900, 260, 40, 40
    bar = max(4.0, min(40.0, (width - left) / len(periods) - 4))
    step = (width - left) / len(periods)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="events by type">']
    for tick in range(0, tallest + 1, max(1, tallest // 4)):
        y = height - bottom - tick / tallest * (height - bottom - 10)
        parts.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class=grid />'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class=axis text-anchor=end>{tick}</text>'
        )
    for i, start in enumerate(periods):
        x, y = left + i * step + (step - bar) / 2, height - bottom
        for event_type in PLOVER_TYPES:
            count = by_period[start].get(event_type, 0)
            if not count:
                continue
            h = count / tallest * (height - bottom - 10)
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{TYPE_COLOURS[event_type]}"><title>{start} {event_type}: {count}'
                "</title></rect>"
            )
        if len(periods) <= 16 or i % (len(periods) // 12 + 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" class=axis'
                f" text-anchor=middle>{start.isoformat()}</text>"
            )
    parts.append("</svg>")
    present = sorted({t for _, t, _ in data.timeline}, key=PLOVER_TYPES.index)
    legend = "".join(
        f'<span class=key><i style="background:{TYPE_COLOURS[t]}"></i>{t}</span>' for t in present
    )
    return "".join(parts) + f"<div class=legend>{legend}</div>"


def _pairs_matrix(data: ReportData) -> str:
    if not data.pairs:
        return "<p class=empty>No events with two named participants yet.</p>"
    # Who deals with whom, either way round: the matrix is symmetric, the tooltip says who did what.
    weight: dict[str, int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for actor, counterpart, count, types in data.pairs:
        weight[actor] += count
        weight[counterpart] += count
        for key in ((actor, counterpart), (counterpart, actor)):
            counts[key] += count
            notes[key].append(f"{actor} → {counterpart}: {types}")
    names = sorted(weight, key=lambda n: (-weight[n], n))[:TOP_ACTORS]
    cells = {key: (n, "; ".join(notes[key])) for key, n in counts.items()}
    most = max(counts.values())
    head = "".join(f"<th class=col><span>{escape(n)}</span></th>" for n in names)
    rows = []
    for actor in names:
        tds = []
        for counterpart in names:
            n, types = cells.get((actor, counterpart), (0, ""))
            shade = f"rgba(55,126,184,{0.15 + 0.85 * n / most:.2f})" if n else "transparent"
            label = (
                f' title="{escape(actor)} → {escape(counterpart)}: {escape(types)}"' if n else ""
            )
            tds.append(f'<td style="background:{shade}"{label}>{n or ""}</td>')
        rows.append(f"<tr><th>{escape(actor)}</th>{''.join(tds)}</tr>")
    return "<table class=matrix><tr><th></th>" + head + "</tr>" + "".join(rows) + "</table>"


def _speakers_bars(data: ReportData) -> str:
    if not data.speakers:
        return "<p class=empty>No attributed claims yet.</p>"
    most = max(count for _, _, count, _ in data.speakers)
    rows = []
    for speaker, kind, count, quotes in data.speakers:
        width = 100 * count / most
        rows.append(
            f"<tr><th>{escape(speaker)}</th><td class=kind>{escape(kind or '')}</td>"
            f'<td class=barcell><div class=bar style="width:{width:.0f}%"></div></td>'
            f"<td>{count}</td><td class=muted>{quotes} quoted</td></tr>"
        )
    return "<table class=speakers>" + "".join(rows) + "</table>"


def _health_table(data: ReportData) -> str:
    if not data.sources:
        return "<p class=empty>No fetches recorded yet.</p>"
    head = (
        "<tr><th>source</th><th>last success</th><th>attempts</th><th>errors</th>"
        "<th>error rate</th><th>articles</th><th>per day</th><th>latest error</th></tr>"
    )
    rows = []
    for source, last, attempts, errors, rate, articles, per_day, latest in data.sources:
        level = "bad" if (rate or 0) >= 0.5 else "warn" if (rate or 0) > 0 else "ok"
        rows.append(
            f"<tr class={level}><th>{escape(str(source))}</th><td>{_when(last)}</td>"
            f"<td>{attempts or 0}</td><td>{errors or 0}</td><td>{(rate or 0):.0%}</td>"
            f"<td>{articles}</td><td>{per_day}</td>"
            f"<td class=muted>{escape(str(latest or ''))[:120]}</td></tr>"
        )
    return "<table class=health>" + head + "".join(rows) + "</table>"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def render(data: ReportData, generated: datetime) -> str:
    t = data.totals
    scope = f"since {data.since.isoformat()}" if data.since else "all time"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsflow report ({scope})</title>
<style>{_CSS}</style></head>
<body>
<header><h1>newsflow report</h1>
<p class=muted>{scope} · generated {generated:%Y-%m-%d %H:%M} UTC</p>
<div class=totals>
<div><b>{t["articles"]}</b>articles</div><div><b>{t["claims"]}</b>claims</div>
<div><b>{t["real_events"]}</b>events<small>{t["events"]} mentions</small></div>
<div><b>{t["sources"]}</b>sources</div></div></header>
<section><h2>Events by type, per {data.period}</h2>
<p class=muted>Distinct real-world events: one meeting reported by five sites counts once.</p>
{_timeline_svg(data)}</section>
<section><h2>Who deals with whom</h2>
<p class=muted>Distinct events between the {TOP_ACTORS} most active participants
(hover a cell for the event types).</p>
{_pairs_matrix(data)}</section>
<section><h2>Most-cited speakers</h2>{_speakers_bars(data)}</section>
<section><h2>Sources</h2>{_health_table(data)}</section>
</body></html>
"""


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1000px;
 padding:24px;color:#222;background:#fafafa}
h1{margin:0}h2{font-size:18px;margin:0 0 4px}
section,header{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px 20px;
 margin-bottom:18px}
.muted{color:#777;font-size:13px}.empty{color:#999;font-style:italic}
.totals{display:flex;gap:28px;margin-top:10px}.totals div{display:flex;flex-direction:column}
.totals b{font-size:26px}.totals small{color:#888}
svg{width:100%;height:auto}.grid{stroke:#eee}.axis{font-size:11px;fill:#777}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;margin-top:6px}
.key i{display:inline-block;width:11px;height:11px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;font-size:13px}th{text-align:left;font-weight:600}
td,th{padding:4px 8px}.matrix td{text-align:center;min-width:26px;border:1px solid #f0f0f0}
.matrix th.col{height:120px;vertical-align:bottom;white-space:nowrap}
.matrix th.col span{writing-mode:vertical-rl;transform:rotate(180deg)}
.speakers{width:100%}.barcell{width:55%}.bar{height:14px;background:#377eb8;border-radius:3px}
.kind{color:#888}.speakers td{white-space:nowrap}
.health{width:100%}.health tr{border-bottom:1px solid #eee}
.health tr.bad th{color:#c0392b}.health tr.warn th{color:#b9770e}
"""


def build_report(
    warehouse: Path | str | None, out: Path, *, since: date | None = None
) -> ReportData:
    """Write the report page to `out`; return what it shows."""
    with connect(warehouse, read_only=True) as con:
        data = collect(con, since)
    out.write_text(render(data, datetime.utcnow()), encoding="utf-8")
    return data
