"""Booking points: a ledger line and the totals it moves, in the caller's transaction.

A line's id is the id of the fact that caused it and the rule, so booking the same fact twice
inserts nothing. Every booking also writes ``score.changed`` to the outbox and, on PostgreSQL,
a NOTIFY that wakes the live streams of every API process once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.engine import Line
from scoring.models import LedgerLine, ScoredItem, Total
from scoring.rules import Rules
from scoring.totals import NEVER, Entry, Tally, TotalKey, keys_of, periods_of, totals_of
from services import outbox
from services.contracts.scoring import ScoreChanged

SCORES_CHANGED = "baosong.scores.changed"
UPSERT_ROWS = 1000  # totals in one statement: 6,000 values, well inside SQLite's limit
TOTALS = "baosong.scores.bookings"  # a batch's bookings, numbered and summed at its end
NOTIFY_CHANNEL = "baosong_scores"


def _upsert(dialect: str) -> Callable[..., Any]:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _rows(entry: Entry, timezone: str) -> list[dict[str, Any]]:
    """The six totals ``entry`` moves (unit and informant; month, year and all time)."""
    return [{"scope": scope, "key": key, "period": period, "points": entry.points,
             "reached_at": entry.reaches, "last_seq": entry.seq}
            for scope, key, period in keys_of(entry, timezone)]


def _later(a: dt.datetime, b: dt.datetime) -> dt.datetime:
    """When a total reached its value, of two moves: the later, where NEVER (a quota line) counts
    as no time at all."""
    if a == NEVER:
        return b
    if b == NEVER:
        return a
    return max(a, b)


def _summed(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of one key added up: one statement moves each total once."""
    by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["scope"], row["key"], row["period"])
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = dict(row)
            continue
        seen["points"] += row["points"]
        seen["reached_at"] = _later(seen["reached_at"], row["reached_at"])
        seen["last_seq"] = max(seen["last_seq"], row["last_seq"])
    return list(by_key.values())


def _add_to_totals(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` to their totals, each total once (insert, or add on conflict), in
    statements of at most ``UPSERT_ROWS`` totals."""
    summed = _summed(rows)
    for first in range(0, len(summed), UPSERT_ROWS):
        insert = _upsert(session.get_bind().dialect.name)(Total).values(
            summed[first:first + UPSERT_ROWS])
        table, new = Total.__table__.c, insert.excluded
        # reached_at: the later of the two, where NEVER (a quota line) counts as no time at all
        reached = sa.case((new.reached_at == NEVER, table.reached_at),
                          (table.reached_at == NEVER, new.reached_at),
                          (new.reached_at > table.reached_at, new.reached_at),
                          else_=table.reached_at)
        session.execute(insert.on_conflict_do_update(
            index_elements=["scope", "key", "period"],
            set_={"points": table.points + new.points, "reached_at": reached,
                  "last_seq": sa.case((new.last_seq > table.last_seq, new.last_seq),
                                      else_=table.last_seq)}))


def collect_totals(session: Session) -> None:
    """The bookings of this transaction are numbered, move the totals and say so
    (``score.changed``) all at once, at its end, when the consumer's ``finish`` calls
    :func:`apply_totals`: one statement for the lines of a batch of events and one for the
    totals they move, each total moved once, instead of a few statements a line."""
    session.info.setdefault(TOTALS, [])


def apply_totals(session: Session) -> None:
    booked: list[Booking] = session.info.pop(TOTALS, [])
    if booked:
        session.flush()  # the lines are numbered now
        _moved(session, booked)


Booking = tuple[LedgerLine, Line, str]  # the row, the line it books, the time zone of periods


def _moved(session: Session, booked: Sequence[Booking]) -> None:
    """What numbered lines move: the totals (each once) and a ``score.changed`` each."""
    rows: list[dict[str, Any]] = []
    for row, line, timezone in sorted(booked, key=lambda b: b[0].seq):
        if line.points:
            rows += _rows(Entry(unit=line.unit, informant=line.informant, points=line.points,
                                at=row.occurred_at, seq=row.seq, rule=line.rule), timezone)
        outbox.emit(session, ScoreChanged(
            seq=row.seq, unit=line.unit, informant=line.informant, submission=line.submission,
            rule=line.rule, points=line.points, cause=row.event_id).event(f"unit/{line.unit}"))
    if rows:
        _add_to_totals(session, rows)


def book(session: Session, *, fact_id: str, fact_type: str, line: Line, at: dt.datetime,
         rules: Rules, timezone: str, item: ScoredItem | None = None) -> LedgerLine:
    """Book ``line`` for the fact, once: callers book only for a fact they just recorded, and
    the line's id (fact id and rule) is unique, so a second booking would fail, not count.
    ``item``: the line's item, if the caller holds it already."""
    line_id = f"{fact_id}:{line.rule}"
    month, _ = periods_of(at, timezone)
    row = LedgerLine(id=line_id, event_id=fact_id, event_type=fact_type, rule=line.rule,
                     rules_version=rules.version, submission_id=line.submission,
                     unit_slug=line.unit, informant_id=line.informant, points=line.points,
                     occurred_at=at, month=month, note=line.note[:500])
    session.add(row)
    collected: list[Booking] | None = session.info.get(TOTALS)
    if collected is None:  # not in a batch: numbered, moved and said now
        session.flush()
        _moved(session, [(row, line, timezone)])
    else:
        collected.append((row, line, timezone))
    if line.points and line.submission is not None:
        if item is None or item.submission_id != line.submission:
            item = session.get(ScoredItem, line.submission)
        if item is not None:
            item.earned += line.points
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
