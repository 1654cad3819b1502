"""What the mailbox and the evaluations add to the year-end review, beside each unit's points.

Both are kept by scoring itself (``scoring.letters`` keeps each letter's facts, ``scoring.surveys``
each closed evaluation's result), so the review reads them directly: the same kept facts the
monthly 通报 and the dashboard show, summed over the period's months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.letters.stats import month_stats
from scoring.surveys.models import EvaluationResult


@dataclass(frozen=True)
class Figure:
    key: str  # e.g. "mailbox.on_time_rate"
    label: str  # the column's heading: 按期办结率
    percent: bool = False


FIGURES = (Figure("mailbox.on_time_rate", "信箱按期办结率", percent=True),
           Figure("mailbox.satisfied_rate", "信箱满意率", percent=True),
           Figure("evaluation.result", "网上评议结果"))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(session: Session, months: Sequence[str],
            today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Unit slug → figure key → value, for the units that had letters or were evaluated."""
    today = today or dt.datetime.now(dt.UTC).date()
    sums: dict[str, dict[str, int]] = {}
    for month in months:
        for u in month_stats(session, month, today)["units"]:
            s = sums.setdefault(u["unit"], {"due": 0, "on_time": 0, "rated": 0,
                                            "satisfied": 0})
            for key in s:
                s[key] += int(u.get(key) or 0)
    # 按期办结率 over the letters that fell due, as the 通报 counts it
    out: dict[str, dict[str, Any]] = {
        unit: {"mailbox.on_time_rate": _ratio(s["on_time"], s["due"]),
               "mailbox.satisfied_rate": _ratio(s["satisfied"], s["rated"])}
        for unit, s in sums.items()}
    years = sorted({int(m[:4]) for m in months})
    results = session.scalars(sa.select(EvaluationResult)
                              .where(EvaluationResult.year.in_(years))
                              .order_by(EvaluationResult.year, EvaluationResult.survey_id))
    for r in results:  # the last evaluation of the period is the one the review weighs
        if r.score is not None:
            out.setdefault(r.unit_slug, {})["evaluation.result"] = round(float(r.score), 2)
    return out
