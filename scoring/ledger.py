"""Booking points: a ledger line and the totals it moves, in the caller's transaction.

A line's id is the id of the fact that caused it and the rule, so booking the same fact twice
inserts nothing. Every booking also writes ``score.changed`` to the outbox and, on PostgreSQL,
a NOTIFY that wakes the live streams of every API process once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.engine import Line
from scoring.models import LedgerLine, ScoredItem, Total
from scoring.rules import Rules
from scoring.totals import Entry, Tally, TotalKey, keys_of, periods_of, reached, totals_of
from services import outbox
from services.events import Event, EventType

SCORES_CHANGED = "baosong.scores.changed"
NOTIFY_CHANNEL = "baosong_scores"


def _bump(session: Session, key: TotalKey, entry: Entry) -> None:
    scope, name, period = key
    total = session.get(Total, key, with_for_update=True)
    if total is None:
        session.add(Total(scope=scope, key=name, period=period, points=entry.points,
                          reached_at=entry.reaches, last_seq=entry.seq))
        return
    total.points += entry.points
    total.reached_at = reached(total.reached_at, entry)
    total.last_seq = max(total.last_seq, entry.seq)


def book(session: Session, *, fact_id: str, fact_type: str, line: Line, at: dt.datetime,
         rules: Rules, timezone: str) -> LedgerLine | None:
    """Book ``line`` for the fact; None if that booking already exists."""
    line_id = f"{fact_id}:{line.rule}"
    if session.scalar(sa.select(LedgerLine.seq).where(LedgerLine.id == line_id)) is not None:
        return None
    month, _ = periods_of(at, timezone)
    row = LedgerLine(id=line_id, event_id=fact_id, event_type=fact_type, rule=line.rule,
                     rules_version=rules.version, submission_id=line.submission,
                     unit_slug=line.unit, informant_id=line.informant, points=line.points,
                     occurred_at=at, month=month, note=line.note[:500])
    session.add(row)
    session.flush()
    if line.points:
        entry = Entry(unit=line.unit, informant=line.informant, points=line.points, at=at,
                      seq=row.seq, rule=line.rule)
        for key in keys_of(entry, timezone):
            _bump(session, key, entry)
        if line.submission is not None:
            item = session.get(ScoredItem, line.submission)
            if item is not None:
                item.earned += line.points
    outbox.emit(session, Event(
        type=EventType.SCORE_CHANGED, subject=f"unit/{line.unit}",
        data={"seq": row.seq, "unit": line.unit, "informant": line.informant,
              "submission": line.submission, "rule": line.rule, "points": line.points,
              "cause": fact_id}))
    if not session.info.get(SCORES_CHANGED):
        session.info[SCORES_CHANGED] = True
        if session.get_bind().dialect.name == "postgresql":  # delivered at commit, once
            session.execute(sa.text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return row


def ledger_entries(lines: Iterable[LedgerLine]) -> Iterable[Entry]:
    for line in lines:
        yield Entry(unit=line.unit_slug, informant=line.informant_id, points=line.points,
                    at=line.occurred_at, seq=line.seq, rule=line.rule)


def rebuild_totals(lines: Iterable[LedgerLine], timezone: str) -> dict[TotalKey, Tally]:
    """Every total recomputed from ledger lines: what the live totals must equal."""
    return totals_of(ledger_entries(lines), timezone)
