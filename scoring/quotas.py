"""Monthly quotas: what each unit sent that counts, against what its kind must send.

What counts toward a month: items received in it (a revision counts in its original's month,
and the two count once) that were not rejected, not retracted and not a duplicate. "Photos"
counts the images in photo items by default (the seed rule asks a county for 3–5 photos);
``quota.photos_count = "items"`` in the rules counts photo items instead. Photos attached to an
article illustrate it and count as part of that article.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.engine import MONTH_CLOSED, QuotaCounts
from scoring.models import Fact, ScoredItem
from scoring.rules import Rules
from services.identity import Unit


def counted(month: str) -> list[sa.ColumnElement[bool]]:
    """The items that count toward ``month``."""
    return [ScoredItem.month == month, ScoredItem.superseded.is_(False),
            ScoredItem.status.not_in(("rejected", "retracted")),
            ScoredItem.duplicate_of.is_(None)]


def quota_counts(session: Session, month: str) -> dict[str, QuotaCounts]:
    rows = session.execute(
        sa.select(ScoredItem.unit_slug, ScoredItem.kind, sa.func.count(),
                  sa.func.coalesce(sa.func.sum(ScoredItem.images), 0))
        .where(*counted(month)).group_by(ScoredItem.unit_slug, ScoredItem.kind)).all()
    out: dict[str, dict[str, int]] = {}
    for slug, kind, items, images in rows:
        counts = out.setdefault(slug, {"articles": 0, "photo_items": 0, "photo_images": 0})
        if kind == "article":
            counts["articles"] += items
        elif kind == "photo":
            counts["photo_items"] += items
            counts["photo_images"] += int(images)
    return {slug: QuotaCounts(**c) for slug, c in out.items()}


def month_bounds(month: str, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``month`` and of the month after, in the commission's time."""
    start = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=ZoneInfo(timezone))
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def days_left(month: str, timezone: str, now: dt.datetime | None = None) -> int:
    """Days left in ``month``, today included (0 once it has ended)."""
    today = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(timezone)).date()
    year, mon = int(month[:4]), int(month[5:])
    first, last = dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])
    if today > last:
        return 0
    return (last - max(today, first)).days + 1


def closed_results(session: Session, month: str) -> dict[str, dict[str, Any]]:
    """What the month's close recorded per unit, if it was closed."""
    rows = session.scalars(sa.select(Fact).where(Fact.type == MONTH_CLOSED,
                                                 Fact.id.like(f"month-closed:{month}:%")))
    return {row.data["unit"]: row.data for row in rows}


def report(session: Session, month: str, rules: Rules, timezone: str,
           now: dt.datetime | None = None) -> dict[str, Any]:
    counts = quota_counts(session, month)
    closed = closed_results(session, month)
    units = []
    for unit in session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.slug)):
        quota = rules.quota(unit.kind)
        c = counts.get(unit.slug, QuotaCounts())
        photos = c.photos(rules)
        entry: dict[str, Any] = {
            "unit": unit.slug, "name": unit.name, "kind": unit.kind,
            "articles": c.articles, "photos": photos, "photo_items": c.photo_items,
            "photo_images": c.photo_images, "counted_photos": quota.counted_photos(photos),
            "required": quota.to_dict(), "owed": quota.owed,
            "met": quota.met(c.articles, photos),
            "closed": unit.slug in closed,
        }
        if unit.slug in closed:
            entry["closed_met"] = closed[unit.slug].get("met")
        units.append(entry)
    return {"month": month, "days_left": days_left(month, timezone, now),
            "photos_count": rules.photos_count, "closed": bool(closed), "units": units}
