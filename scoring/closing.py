"""Closing a month: each unit's quota bonus or penalty, booked once however often it runs.

The counts each unit had at the close are kept as a fact, so that another rule set (other
quota sizes or points) can be applied to them later.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import engine, facts
from scoring.engine import MONTH_CLOSED, QuotaCounts
from scoring.ledger import book
from scoring.models import Fact, ScoredItem
from scoring.quotas import month_bounds, quota_counts
from scoring.rules import Rules
from services.db import utcnow
from services.identity import Unit


def month_end(month: str, timezone: str) -> dt.datetime:
    """The last second of ``month``: the time the quota lines are booked at."""
    return month_bounds(month, timezone)[1] - dt.timedelta(seconds=1)


def has_ended(month: str, timezone: str, now: dt.datetime | None = None,
              after: dt.timedelta = dt.timedelta(0)) -> bool:
    return (now or utcnow()) >= month_bounds(month, timezone)[1] + after


def close_month(session: Session, month: str, rules: Rules,
                timezone: str) -> list[dict[str, object]]:
    """Book every unit's quota result for ``month``; return what was newly booked.

    A unit registered after the month ended owes nothing for it.
    """
    booked: list[dict[str, object]] = []
    at = month_end(month, timezone)
    counts = quota_counts(session, month)
    for unit in session.scalars(sa.select(Unit).where(Unit.created_at <= at)
                                .order_by(Unit.slug)):
        fact_id = f"month-closed:{month}:{unit.slug}"
        if facts.exists(session, fact_id):
            continue  # closed before: the same id every run
        c = counts.get(unit.slug, QuotaCounts())
        met = engine.quota_met(rules, unit.kind, c)
        fact = facts.record(session, fact_id, MONTH_CLOSED, at, {
            "month": month, "unit": unit.slug, "unit_kind": unit.kind,
            "articles": c.articles, "photo_items": c.photo_items,
            "photo_images": c.photo_images, "met": met, "rules_version": rules.version})
        for line in engine.unit_fact_lines(fact, rules):
            book(session, fact_id=fact_id, fact_type=MONTH_CLOSED, line=line, at=at, rules=rules,
                 timezone=timezone)
            booked.append({"unit": unit.slug, "rule": line.rule, "points": line.points})
    return booked


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def due_months(session: Session, timezone: str, now: dt.datetime,
               after: dt.timedelta) -> list[str]:
    """Months that ended more than ``after`` ago and were never closed, since the first month
    anything was submitted."""
    first = session.scalar(sa.select(sa.func.min(ScoredItem.month)))
    if first is None:
        return []
    last_ended = (now - after).astimezone(ZoneInfo(timezone)).replace(day=1) \
        - dt.timedelta(days=1)
    months = _months_between(first, f"{last_ended:%Y-%m}")
    closed = {fact_id.split(":")[1] for fact_id in session.scalars(
        sa.select(Fact.id).where(Fact.type == MONTH_CLOSED))}
    return [m for m in months if m not in closed]
