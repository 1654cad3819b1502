"""The month's mailbox figures per handling unit, and the units with overdue letters.

Rates, each None when there is nothing to divide by:
- 按期办结率 (on-time rate): answered by the deadline / letters that were due (answered, or
  past their deadline unanswered);
- 回复率 (reply rate): answered / received;
- 满意率 (satisfaction): 满意 or 基本满意 / rated (no rating in time counts as 满意);
- 发回重办率 (reopened rate): reopened / answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.letters.models import LetterFact
from services.identity import unit_names


@dataclass
class UnitFigures:
    unit: str
    name: str
    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    open_overdue: int = 0
    extended: int = 0
    paused: int = 0
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def to_public(self) -> dict[str, Any]:
        due = self.answered + self.open_overdue
        return {
            "unit": self.unit, "name": self.name, "received": self.received,
            "answered": self.answered, "on_time": self.on_time, "overdue": self.overdue,
            "extended": self.extended, "paused": self.paused, "reopened": self.reopened,
            "rated": self.rated, "satisfied": self.satisfied,
            "on_time_rate": self._rate(self.on_time, due),
            "reply_rate": self._rate(self.answered, self.received),
            "satisfaction_rate": self._rate(self.satisfied, self.rated),
            "reopened_rate": self._rate(self.reopened, self.answered),
        }


def month_stats(session: Session, month: str, today: dt.date) -> dict[str, Any]:
    names = unit_names(session)
    units: dict[str, UnitFigures] = {}
    declined = 0
    for fact in session.scalars(sa.select(LetterFact).where(LetterFact.month == month)):
        if fact.declined:
            declined += 1
            continue
        if fact.unit is None:
            continue  # with the centre, not yet any unit's
        u = units.get(fact.unit)
        if u is None:
            unit = names.get(fact.unit)
            u = units[fact.unit] = UnitFigures(fact.unit, unit.name if unit else fact.unit)
        u.received += 1
        late_open = not fact.answered and (fact.overdue or (fact.due is not None
                                                            and fact.due < today))
        u.answered += fact.answered
        u.on_time += fact.answered and fact.on_time
        u.overdue += fact.overdue or late_open
        u.open_overdue += late_open
        u.extended += fact.extended
        u.paused += fact.paused
        u.reopened += fact.reopened
        if fact.rating is not None:
            u.rated += 1
            u.satisfied += fact.rating in ("satisfied", "basic")
    rows = sorted(units.values(), key=lambda u: u.unit)
    return {"month": month, "units": [u.to_public() for u in rows], "declined": declined,
            "overdue_units": [{"unit": u.unit, "name": u.name, "overdue": u.overdue}
                              for u in rows if u.overdue]}
