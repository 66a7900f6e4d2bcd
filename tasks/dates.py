"""Dates in text ("last week", "on Tuesday", "April 2021") resolved against the article's date.

dateparser does the resolution (RELATIVE_BASE = the publication date) and reports the period it
understood; we only normalise the result to the first day of that period so that equal periods
compare equal (a week starts on Monday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser

from schemas.records import DatePrecision

_WEEKDAY = re.compile(
    r"^(on\s+)?(last\s+)?(mon|tues|wednes|thurs|fri|satur|sun)day(\s+(morning|afternoon|evening|night))?$",
    re.IGNORECASE,
)
# "two years", "several months": durations, not dates, unless anchored ("two years ago").
_DURATION = re.compile(
    r"^(the\s+)?(past\s+|last\s+|next\s+)?(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"several|few|a few|many|some)\s+(\w+\s+)?(days?|weeks?|months?|years?|decades?|centuries)$",
    re.IGNORECASE,
)
_PRECISION: dict[str, DatePrecision] = {
    "day": "day",
    "part_of_day": "day",
    "time": "day",
    "week": "week",
    "month": "month",
    "year": "year",
}


@dataclass(frozen=True)
class ResolvedDate:
    date: str  # ISO YYYY-MM-DD, the first day of the period
    precision: DatePrecision
    text: str | None  # the words it came from; None when it is the publication date


def parse_published(published: str | None) -> date | None:
    """The date part of an ISO 'YYYY-MM-DD[THH:MM:SS±HH:MM]' string."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _parser(base: date | None) -> DateDataParser:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def _start_of_period(day: date, precision: DatePrecision) -> date:
    if precision == "week":
        return day - timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


@lru_cache(maxsize=8192)
def resolve_date(text: str, published: date | None) -> ResolvedDate | None:
    """Resolve a date expression; None when it is no calendar date (a duration, 'the day')."""
    phrase = re.sub(r"\s+", " ", text).strip()
    if not phrase or _DURATION.match(phrase):
        return None
    base = published
    if published is not None and _WEEKDAY.match(phrase) and not phrase.lower().startswith("last"):
        # In news a bare weekday is the latest such day up to and including publication day.
        base = published + timedelta(days=1)
    cleaned = re.sub(r"^(on|in|at|during|since|by)\s+", "", phrase, flags=re.IGNORECASE)
    data = _parser(base).get_date_data(cleaned)
    if data.date_obj is None:
        return None
    precision = _PRECISION.get(data.period or "day", "day")
    day = _start_of_period(data.date_obj.date(), precision)
    return ResolvedDate(day.isoformat(), precision, text)


def publication_date(published: date | None) -> ResolvedDate | None:
    """The fallback when a sentence states no date: the day the article appeared."""
    if published is None:
        return None
    return ResolvedDate(published.isoformat(), "day", None)
