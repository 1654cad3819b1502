"""约稿 as admins post them and everyone reads them: checking a new topic, and the list.

The endpoints are in :mod:`scoring.topics_api`; what a topic asks of its units and the penalty
for missing it are in :mod:`scoring.commissions`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from scoring.commissions import create_topic, to_public
from scoring.models import TopicRow
from scoring.world import all_topics
from services.context import Context
from services.db import utcnow
from services.identity import Principal, Role, require_role, unit_names
from services.refusals import Invalid


def parse_deadline(text: str, timezone: str) -> dt.datetime:
    """An ISO date (the end of that day) or date and time; without a zone, the commission's."""
    zone = ZoneInfo(timezone)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)
        when = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid("deadline 须为日期或日期时间，如 2026-12-05 或 2026-12-05T17:00 "
                      "(deadline must be an ISO date or date-time)") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def commission(ctx: Context, user: Principal, *, title: str, deadline: str, units: list[str],
               description: str = "") -> dict[str, Any]:
    """Post a topic to ``units`` (an admin's act), as the list shows it."""
    require_role(user, Role.ADMIN)
    title = title.strip()
    if not title:
        raise Invalid("约稿标题不能为空 (title is required)")
    due = parse_deadline(deadline.strip(), ctx.settings.timezone)
    now = utcnow()
    if due <= now:
        raise Invalid("截止时间须在将来 (the deadline must be in the future)")
    with ctx.db.transaction() as session:
        names = unit_names(session)
        unknown = sorted({u for u in units if u not in names})
        if unknown:
            raise Invalid(f"没有这些单位：{'、'.join(unknown)} (unknown units)")
        row = create_topic(session, title=title, description=description.strip(),
                           deadline=due, units=units, by=user.id)
        topic = all_topics(session)[str(row.id)]
        return to_public(session, topic, row, names, now)


def listed(ctx: Context, *, unit: str | None = None,
           open_only: bool = False) -> list[dict[str, Any]]:
    """Every topic, newest deadline first; only those asked of ``unit``, only those still open."""
    now = utcnow()
    with ctx.db.session() as session:
        names = unit_names(session)
        topics = all_topics(session)
        rows = session.scalars(sa.select(TopicRow).order_by(TopicRow.deadline.desc(),
                                                            TopicRow.id.desc()))
        out = []
        for row in rows:
            topic = topics[str(row.id)]
            if unit is not None and unit not in topic.units:
                continue
            if open_only and now > topic.deadline:
                continue
            out.append(to_public(session, topic, row, names, now))
    return out
