"""The one clock: aware UTC datetimes (pure, so events and rules can use it), and dates written
as an office writes them, on the commission's calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def office_date(day: dt.date) -> str:
    """A date as an office writes it: 2026年12月2日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def office_day(moment: dt.datetime, timezone: str) -> str:
    """The day an aware moment falls on in ``timezone`` (the commission's), as an office writes
    it: a token issued at 20:00 UTC expires on the next day in Beijing, and says so."""
    return office_date(moment.astimezone(ZoneInfo(timezone)).date())
