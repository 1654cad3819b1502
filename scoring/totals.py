"""Totals from ledger lines: per unit and informant, per month, year and all time. Pure.

A total's ``reached_at`` is when it reached its present value: the time of the latest line that
moved it. Ranks break ties by it (who got there first ranks higher). Lines of 0 points (they
explain why an item earned nothing) move no total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ALL_TIME = "all"
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


def add(tally: Tally | None, entry: Entry) -> Tally:
    if tally is None:
        return Tally(points=entry.points, reached_at=entry.at, last_seq=entry.seq)
    tally.points += entry.points
    tally.reached_at = max(tally.reached_at, entry.at)
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
