from __future__ import annotations

import re
from datetime import date
from html import escape

from warehouse.query import run_sql
from warehouse.report import build_report


def test_report_is_one_self_contained_page(examples_warehouse, tmp_path):
    out = tmp_path / "report.html"
    data = build_report(examples_warehouse, out)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?https?://""", page)  # nothing fetched when opened
    assert "<svg" in page and "CONSULT" in page
    top_speaker = run_sql(examples_warehouse, "SELECT speaker FROM claims_by_speaker LIMIT 1")
    assert escape(top_speaker.rows[0][0]) in page  # the most-cited speakers
    assert "harbour-ledger-world" in page  # sources' health
    assert data.totals["articles"] >= 5
    assert data.totals["real_events"] <= data.totals["events"]


def test_report_since_narrows_what_it_counts(examples_warehouse, tmp_path):
    everything = build_report(examples_warehouse, tmp_path / "all.html")
    recent = build_report(examples_warehouse, tmp_path / "recent.html", since=date(2024, 1, 1))
    assert recent.totals["articles"] < everything.totals["articles"]
    assert all(start >= date(2024, 1, 1) for start, _, _ in recent.timeline)
    empty = build_report(examples_warehouse, tmp_path / "none.html", since=date(2031, 1, 1))
    assert empty.totals["events"] == 0
    assert "No dated events" in (tmp_path / "none.html").read_text(encoding="utf-8")
