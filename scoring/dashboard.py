"""What the wall-screen dashboard shows, in one answer: the boards (month and year, counties
and enterprises), the informants of the month, the top ten's points over the year, quota
compliance and the latest published items."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import queries, quotas
from scoring.letters.stats import month_stats
from scoring.models import LedgerLine, ScoredItem
from scoring.rules import Rules
from services.identity import unit_names

TOP = 10
LATEST = 8


def chart(session: Session, year: str, top: list[dict[str, Any]], timezone: str,
          now: dt.datetime) -> dict[str, Any]:
    """Each of ``top``'s points over ``year``, day by day, to today (or the year's end)."""
    zone = ZoneInfo(timezone)
    slugs = [u["unit"] for u in top]
    rows = session.execute(sa.select(LedgerLine.unit_slug, LedgerLine.occurred_at,
                                     LedgerLine.points)
                           .where(LedgerLine.month.startswith(year),
                                  LedgerLine.unit_slug.in_(slugs), LedgerLine.points != 0)).all()
    # from the first month anything was booked (a year begun mid-way shows what there is)
    first_month = min((row[1].astimezone(zone).month for row in rows), default=1)
    start = dt.date(int(year), first_month, 1)
    today = now.astimezone(zone).date()
    end = min(today, dt.date(int(year), 12, 31)) if today >= start else start
    days = (end - start).days + 1
    per_day: dict[str, list[int]] = {slug: [0] * days for slug in slugs}
    for slug, at, change in rows:
        index = min(max((at.astimezone(zone).date() - start).days, 0), days - 1)
        per_day[slug][index] += change
    series = []
    for u in top:
        running, cumulative = 0, []
        for day in per_day[u["unit"]]:
            running += day
            cumulative.append(running)
        series.append({"unit": u["unit"], "name": u["name"], "points": cumulative})
    return {"start": start.isoformat(), "days": days, "series": series}


def latest_published(session: Session, limit: int = LATEST) -> list[dict[str, Any]]:
    names = unit_names(session)
    items = session.scalars(sa.select(ScoredItem).where(ScoredItem.status == "published")
                            .order_by(ScoredItem.published_at.desc()).limit(limit))
    return [{"submission": i.submission_id, "title": i.title, "kind": i.kind,
             "unit": i.unit_slug,
             "unit_name": names[i.unit_slug].name if i.unit_slug in names else i.unit_slug,
             "published_at": i.published_at.isoformat() if i.published_at else None,
             "url": i.url, "points": i.earned} for i in items]


def snapshot(session: Session, month: str, rules: Rules, timezone: str,
             now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or dt.datetime.now(dt.UTC)
    year = month[:4]
    seq = queries.max_seq(session)  # read first: a viewer resumes from here, so none is missed
    boards: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name, period in (("month", month), ("year", year)):
        boards[name] = {kind: queries.scores(session, period, kind)["units"]
                        for kind in ("county", "enterprise")}
    year_board = queries.scores(session, year)["units"]
    return {
        "seq": seq, "month": month, "year": year, "boards": boards,
        "informants": queries.scores(session, month)["informants"][:TOP],
        "chart": chart(session, year, [u for u in year_board if u["points"]][:TOP], timezone,
                       now),
        "quotas": quotas.report(session, month, rules, timezone, now),
        "latest": latest_published(session),
        "letters": month_stats(session, month, now.astimezone(ZoneInfo(timezone)).date()),
    }


class SnapshotCache:
    """Many viewers refresh at once after a change: they share one answer per ledger state
    (for at most ``seconds``, since quotas move with submissions that book no points)."""

    def __init__(self, seconds: float = 3.0) -> None:
        self.seconds = seconds
        self._kept: dict[str, tuple[int, float, dict[str, Any]]] = {}

    def get(self, month: str, seq: int) -> dict[str, Any] | None:
        kept = self._kept.get(month)
        if kept is None or kept[0] != seq or time.monotonic() - kept[1] > self.seconds:
            return None
        return kept[2]

    def put(self, month: str, data: dict[str, Any]) -> None:
        self._kept[month] = (data["seq"], time.monotonic(), data)
