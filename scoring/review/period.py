"""The period report for the review meeting (YYYY, YYYY-H1, YYYY-H2).

Every figure is a sum of ledger lines or of kept facts: points are the ledger lines of the
period's months (so they equal the monthly boards added up, and a rebuild), items are what
scoring keeps of each submission, quota months are the month-close facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import engine
from scoring.models import Fact, LedgerLine, ScoredItem
from scoring.review import enterprise, lent
from scoring.rules import Rules
from services.identity import UNIT_KIND_LABELS, Role, Unit, User
from services.refusals import Invalid

PERIOD = re.compile(r"^(\d{4})(?:-(H1|H2))?$")
KINDS = (("county", "县区"), ("enterprise", "重点企业"), ("department", "部门"))


class BadPeriod(Invalid, ValueError):
    """A 422 at the API, a message at the command line."""


def months_of(period: str) -> list[str]:
    """The months of a review period: a year, or its first or second half."""
    match = PERIOD.match(period)
    if match is None:
        raise BadPeriod("period 须为 YYYY、YYYY-H1 或 YYYY-H2 "
                        "(period must be YYYY, YYYY-H1 or YYYY-H2)")
    year, half = match.group(1), match.group(2)
    if not 1900 <= int(year) <= 2100:  # a review of the portal's years, and a date can hold it
        raise BadPeriod("period 的年份须在 1900 至 2100 之间 (the year must be 1900-2100)")
    first, last = {"H1": (1, 6), "H2": (7, 12)}.get(half or "", (1, 12))
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


@dataclass
class UnitFigures:
    unit: str
    name: str
    kind: str
    sent: int = 0
    published: int = 0
    adopted: dict[str, int] = field(default_factory=dict)  # highest level -> items
    instructed: int = 0
    retracted: int = 0
    points: int = 0
    quota_met: int = 0  # months whose close found the quota met
    quota_missed: list[str] = field(default_factory=list)  # the months it was not
    extra: dict[str, Any] = field(default_factory=dict)  # figures lent by other capabilities
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "kind": self.kind, "rank": self.rank,
                "points": self.points, "sent": self.sent, "published": self.published,
                "adopted": dict(self.adopted), "instructed": self.instructed,
                "retracted": self.retracted, "quota_months_met": self.quota_met,
                "missing_months": list(self.quota_missed),
                **{f.key: self.extra.get(f.key) for f in lent.FIGURES},
                **{f.key: self.extra.get(f.key) for f in enterprise.FIGURES},
                **{k: v for k, v in self.extra.items()}}


def _ranked(rows: list[Any]) -> list[Any]:
    """Points high to low; equal points share a rank (1, 1, 3), then by name for the reader."""
    rows.sort(key=lambda r: (-r.points, r.name))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].points == row.points else i + 1
    return rows


@dataclass
class InformantFigures:
    informant: int
    name: str
    unit: str
    unit_name: str
    points: int = 0
    published: int = 0
    retracted: int = 0
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"informant": self.informant, "name": self.name, "unit": self.unit,
                "unit_name": self.unit_name, "points": self.points,
                "published": self.published, "retracted": self.retracted, "rank": self.rank}


@dataclass
class PeriodReport:
    period: str
    months: list[str]
    units: list[UnitFigures]
    informants: list[InformantFigures]
    closed_months: list[str]
    retraction_reasons: dict[int, str]  # submission -> why it was retracted
    item_informant: dict[int, int]
    item_unit: dict[int, str]

    def board(self, kind: str) -> list[UnitFigures]:
        return _ranked([u for u in self.units if u.kind == kind])

    def to_dict(self, rules: Rules) -> dict[str, Any]:
        return {
            "period": self.period, "months": self.months, "closed_months": self.closed_months,
            "rules_version": rules.version,
            "boards": [{"kind": kind, "title": title,
                        "units": [u.to_dict() for u in self.board(kind)]}
                       for kind, title in KINDS if rules.quota(kind).owed],
            "informants": [i.to_dict() for i in _ranked(list(self.informants))],
            "missing": [{"unit": u.unit, "name": u.name, "months": u.quota_missed}
                        for u in self.units if u.quota_missed],
            "figures": [{"key": f.key, "label": f.label}
                        for f in (*lent.FIGURES, *enterprise.FIGURES)],
        }


def period_report(session: Session, period: str, rules: Rules) -> PeriodReport:
    months = months_of(period)
    units = {u.slug: UnitFigures(u.slug, u.name, u.kind)
             for u in session.scalars(sa.select(Unit).order_by(Unit.slug))}
    people = {u.id: InformantFigures(u.id, u.name, u.unit_slug or "",
                                     units[u.unit_slug].name if u.unit_slug in units else "")
              for u in session.scalars(sa.select(User).where(User.role == Role.INFORMANT))}
    item_informant: dict[int, int] = {}
    item_unit: dict[int, str] = {}
    for item in session.scalars(sa.select(ScoredItem).where(
            ScoredItem.superseded.is_(False), ScoredItem.month.in_(months))):
        item_informant[item.submission_id] = item.informant_id
        item_unit[item.submission_id] = item.unit_slug
        u = units.get(item.unit_slug)
        if u is None:
            continue
        u.sent += 1
        person = people.get(item.informant_id)
        if item.status == "retracted":
            u.retracted += 1
            if person:
                person.retracted += 1
        if item.status != "published" or item.duplicate_of is not None:
            continue
        u.published += 1
        if person:
            person.published += 1
        top = rules.highest_adoption(item.adoptions)
        if top is not None:
            u.adopted[top] = u.adopted.get(top, 0) + 1
        u.instructed += len(item.instructions)
    for unit, informant, points in session.execute(
            sa.select(LedgerLine.unit_slug, LedgerLine.informant_id,
                      sa.func.sum(LedgerLine.points))
            .where(LedgerLine.month.in_(months))
            .group_by(LedgerLine.unit_slug, LedgerLine.informant_id)):
        if unit in units:
            units[unit].points += int(points)
        if informant in people:
            people[informant].points += int(points)
    closed: set[str] = set()
    for fact in session.scalars(sa.select(Fact).where(Fact.type == engine.MONTH_CLOSED)):
        month, unit = str(fact.data.get("month")), str(fact.data.get("unit"))
        if month not in months or unit not in units:
            continue
        closed.add(month)
        if not rules.quota(units[unit].kind).owed:
            continue
        if fact.data.get("met"):
            units[unit].quota_met += 1
        else:
            units[unit].quota_missed.append(month)
    reasons = {int(f.submission_id): str(f.data.get("reason", ""))
               for f in session.scalars(sa.select(Fact).where(Fact.type == engine.RETRACTED))
               if f.submission_id in item_unit}
    for unit, figures in lent.figures(session, months).items():
        if unit in units:
            units[unit].extra.update(figures)
    for unit, figures in enterprise.figures(session, months).items():
        if unit in units:
            units[unit].extra.update(figures)
    for u in units.values():
        u.quota_missed.sort()
    return PeriodReport(period, months, list(units.values()), list(people.values()),
                        sorted(closed), reasons, item_informant, item_unit)


def kind_label(kind: str) -> str:
    return UNIT_KIND_LABELS.get(kind, kind)


def level_counts(u: UnitFigures, levels: Sequence[str]) -> list[int]:
    return [u.adopted.get(level, 0) for level in levels]
