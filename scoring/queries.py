"""Reading the scores: rankings (boards) and the ledger lines behind them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.models import LedgerLine, Total
from scoring.totals import NEVER
from services.identity import Role, Unit, User

PERIOD_RE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2]))?$|^all$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A unit or informant with no line in the period comes after those that reached the same total.
FAR_FUTURE = NEVER
KINDS = ("county", "enterprise", "department")


def valid_period(period: str) -> bool:
    return bool(PERIOD_RE.match(period))


def valid_month(month: str) -> bool:
    return bool(MONTH_RE.match(month))


def current_month(timezone: str) -> str:
    return f"{dt.datetime.now(ZoneInfo(timezone)):%Y-%m}"


def _ranked(rows: list[dict[str, Any]], totals: dict[str, Total]) -> list[dict[str, Any]]:
    """Highest first; of equal totals, the one that reached it first; rank is the place."""
    def order(row: dict[str, Any]) -> tuple[int, dt.datetime, str]:
        total = totals.get(row["_key"])
        return (-row["points"], total.reached_at if total else FAR_FUTURE, row["_key"])

    rows.sort(key=order)
    for place, row in enumerate(rows, start=1):
        total = totals.get(row.pop("_key"))
        row["rank"] = place
        row["reached_at"] = total.reached_at.isoformat() if total and total.reached_at != NEVER \
            else None
    return rows


def scores(session: Session, period: str, unit_kind: str | None = None) -> dict[str, Any]:
    """The boards of ``period``: every unit (of ``unit_kind``, if given) and every informant."""
    totals = {(t.scope, t.key): t for t in session.scalars(
        sa.select(Total).where(Total.period == period))}
    units = session.scalars(sa.select(Unit)).all()
    unit_by_slug = {u.slug: u for u in units}
    unit_rows = [
        {"_key": u.slug, "unit": u.slug, "name": u.name, "kind": u.kind,
         "points": totals[("unit", u.slug)].points if ("unit", u.slug) in totals else 0}
        for u in units if unit_kind is None or u.kind == unit_kind
    ]
    unit_totals = {k: t for (scope, k), t in totals.items() if scope == "unit"}
    informants = session.scalars(sa.select(User).where(User.role == Role.INFORMANT)).all()
    informant_rows = [
        {"_key": str(u.id), "informant": u.id, "name": u.name, "unit": u.unit_slug,
         "unit_name": unit_by_slug[u.unit_slug].name if u.unit_slug in unit_by_slug else "",
         "points": totals[("informant", str(u.id))].points
         if ("informant", str(u.id)) in totals else 0}
        for u in informants
        if unit_kind is None or (u.unit_slug in unit_by_slug
                                 and unit_by_slug[u.unit_slug].kind == unit_kind)
    ]
    informant_totals = {k: t for (scope, k), t in totals.items() if scope == "informant"}
    return {"period": period, "kind": unit_kind, "units": _ranked(unit_rows, unit_totals),
            "informants": _ranked(informant_rows, informant_totals)}


def ledger_lines(session: Session, unit: str | None, period: str,
                 limit: int, after: int = 0) -> list[dict[str, Any]]:
    query = sa.select(LedgerLine).where(LedgerLine.seq > after).order_by(LedgerLine.seq)
    if unit is not None:
        query = query.where(LedgerLine.unit_slug == unit)
    if len(period) == 7:
        query = query.where(LedgerLine.month == period)
    elif len(period) == 4:
        query = query.where(LedgerLine.month.startswith(period))
    return [line_to_public(line) for line in session.scalars(query.limit(limit))]


def line_to_public(line: LedgerLine) -> dict[str, Any]:
    return {"seq": line.seq, "id": line.id, "event": line.event_id, "event_type": line.event_type,
            "rule": line.rule, "rules_version": line.rules_version, "points": line.points,
            "unit": line.unit_slug, "informant": line.informant_id,
            "submission": line.submission_id, "time": line.occurred_at.isoformat(),
            "month": line.month, "note": line.note}


def max_seq(session: Session) -> int:
    return session.scalar(sa.select(sa.func.max(LedgerLine.seq))) or 0
