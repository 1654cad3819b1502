"""Booking points: a ledger line and the totals it moves, in the caller's transaction.

A line's id is the event id and the rule, so booking the same event twice inserts nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.models import LedgerLine, Total
from services.events import Event

SCORES_CHANGED = "baosong.scores.changed"


def periods_of(when: dt.datetime, timezone: str) -> tuple[str, str]:
    local = when.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m}", f"{local:%Y}"


def _bump(session: Session, scope: str, key: str, period: str, line: LedgerLine) -> None:
    total = session.get(Total, (scope, key, period), with_for_update=True)
    if total is None:
        total = Total(scope=scope, key=key, period=period, points=0,
                      reached_at=line.occurred_at, last_seq=line.seq)
        session.add(total)
    total.points += line.points
    total.last_seq = line.seq
    if line.points:
        total.reached_at = line.occurred_at


def book(session: Session, event: Event, rule: str, points: int, *, rules_version: str,
         unit: str, informant: int | None, submission: int | None, timezone: str,
         note: str = "", when: dt.datetime | None = None) -> LedgerLine | None:
    """Book ``points`` for ``event`` under ``rule``; None if that booking already exists."""
    line_id = f"{event.id}:{rule}"
    if session.scalar(sa.select(LedgerLine.seq).where(LedgerLine.id == line_id)) is not None:
        return None
    occurred = when or event.time
    month, year = periods_of(occurred, timezone)
    line = LedgerLine(id=line_id, event_id=event.id, event_type=event.type, rule=rule,
                      rules_version=rules_version, submission_id=submission, unit_slug=unit,
                      informant_id=informant, points=points, occurred_at=occurred, month=month,
                      note=note)
    session.add(line)
    session.flush()
    for period in (month, year, "all"):
        _bump(session, "unit", unit, period, line)
        if informant is not None:
            _bump(session, "informant", str(informant), period, line)
    session.info[SCORES_CHANGED] = True
    return line


def rebuild_totals(lines: Iterable[LedgerLine], timezone: str) -> dict[tuple[str, str, str], int]:
    """Every total recomputed from ledger lines: what the live totals must equal."""
    totals: dict[tuple[str, str, str], int] = {}
    for line in lines:
        month, year = periods_of(line.occurred_at, timezone)
        for period in (month, year, "all"):
            keys = [("unit", line.unit_slug, period)]
            if line.informant_id is not None:
                keys.append(("informant", str(line.informant_id), period))
            for key in keys:
                totals[key] = totals.get(key, 0) + line.points
    return totals
