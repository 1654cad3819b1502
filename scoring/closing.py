"""Closing a month: each unit's quota bonus or penalty, booked once however often it runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import queries
from scoring.ledger import book
from scoring.rules import Rules
from services.events import Event
from services.identity import Unit

MONTH_CLOSED = "month.closed"


def month_end(month: str, timezone: str) -> dt.datetime:
    start = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=ZoneInfo(timezone))
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(seconds=1)


def close_month(session: Session, month: str, rules: Rules,
                timezone: str) -> list[dict[str, object]]:
    """Book every unit's quota result for ``month``; return what was newly booked."""
    booked = []
    at = month_end(month, timezone)
    report = {u["unit"]: u for u in queries.quotas(session, month, rules, timezone)["units"]}
    for unit in session.scalars(sa.select(Unit).order_by(Unit.slug)):
        quota = rules.quota(unit.kind)
        if quota.articles == 0 and quota.photos == 0:
            continue  # nothing is owed, so nothing is booked
        met = report[unit.slug]["met"]
        rule, points = ("quota.met", rules.quota_bonus) if met else \
            ("quota.missed", rules.quota_penalty)
        # the same id every run: a second close of the month books nothing
        event = Event(id=f"month-close:{month}:{unit.slug}", type=MONTH_CLOSED, time=at,
                      subject=f"unit/{unit.slug}", data={"month": month, "unit": unit.slug})
        line = book(session, event, rule, points, rules_version=rules.version, unit=unit.slug,
                    informant=None, submission=None, timezone=timezone,
                    note=f"{month} 报送任务{'完成' if met else '未完成'}")
        if line is not None:
            booked.append({"unit": unit.slug, "rule": rule, "points": points})
    return booked
