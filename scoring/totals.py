"""Totals from ledger lines: per unit and informant, per month, year and all time. Pure.

A total's ``reached_at`` is when it reached its present value: the time of the latest line that
moved it. Ranks break ties by it (who got there first ranks higher). The month's quota lines are
booked for every unit at the same instant (the month's end), so they do not count as reaching
anything: a total with nothing else has ``NEVER``, and ranks after those that did reach it.
Lines of 0 points (they explain why an item earned nothing) move no total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ALL_TIME = "all"
NEVER = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
PERIOD_RULES = frozenset({"quota.met", "quota.missed"})  # booked for everyone at once
TotalKey = tuple[str, str, str]  # scope (unit | informant), key, period


@dataclass
class Tally:
    points: int
    reached_at: dt.datetime
    last_seq: int = 0


@dataclass(frozen=True)
class Entry:
    """What of a ledger line moves totals."""

    unit: str
    informant: int | None
    points: int
    at: dt.datetime
    seq: int = 0
    rule: str = ""

    @property
    def reaches(self) -> dt.datetime:
        return NEVER if self.rule in PERIOD_RULES else self.at


def periods_of(when: dt.datetime, timezone: str) -> tuple[str, str]:
    local = when.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m}", f"{local:%Y}"


def keys_of(entry: Entry, timezone: str) -> list[TotalKey]:
    month, year = periods_of(entry.at, timezone)
    keys = []
    for period in (month, year, ALL_TIME):
        keys.append(("unit", entry.unit, period))
        if entry.informant is not None:
            keys.append(("informant", str(entry.informant), period))
    return keys


def reached(was: dt.datetime, entry: Entry) -> dt.datetime:
    """The latest time a line reached the total (``NEVER`` counts as no time at all)."""
    if entry.reaches == NEVER:
        return was
    return entry.reaches if was == NEVER else max(was, entry.reaches)


def add(tally: Tally | None, entry: Entry) -> Tally:
    if tally is None:
        return Tally(points=entry.points, reached_at=entry.reaches, last_seq=entry.seq)
    tally.points += entry.points
    tally.reached_at = reached(tally.reached_at, entry)
    tally.last_seq = max(tally.last_seq, entry.seq)
    return tally


def totals_of(entries: Iterable[Entry], timezone: str) -> dict[TotalKey, Tally]:
    totals: dict[TotalKey, Tally] = {}
    for entry in entries:
        if entry.points == 0:
            continue
        for key in keys_of(entry, timezone):
            totals[key] = add(totals.get(key), entry)
    return totals
