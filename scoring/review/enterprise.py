"""The enterprise side of the review, beside each unit's points: the photos it had published,
its items in the 企业文化 column, how often its items were read on the portal in the period, and
the featured lists (工业五十强 / 突出贡献企业) of the period's years that name it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.models import ScoredItem
from scoring.review.enterprise_facts import FeatureMark, ItemColumn, ReadTotal
from scoring.review.lent import Figure

CULTURE = "culture"
FIGURES = (Figure("photos", "采用图片"), Figure("culture", "企业文化栏目"),
           Figure("reads", "阅读量"), Figure("features", "入选榜单"))


def _days(months: Sequence[str]) -> tuple[dt.date, dt.date]:
    """The period's first day and the day after its last (months are consecutive)."""
    first, last = min(months), max(months)
    year, month = int(last[:4]), int(last[5:])
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return dt.date(int(first[:4]), int(first[5:]), 1), end


def figures(session: Session, months: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Unit slug → figure key → value, for every unit with anything to show."""
    out: dict[str, dict[str, Any]] = {}

    def put(unit: str, key: str, value: Any) -> None:
        out.setdefault(unit, {"photos": 0, "culture": 0, "reads": 0, "features": ""})[key] = value

    published = (ScoredItem.superseded.is_(False), ScoredItem.status == "published",
                 ScoredItem.duplicate_of.is_(None), ScoredItem.month.in_(months))
    for unit, photos in session.execute(
            sa.select(ScoredItem.unit_slug, sa.func.sum(ScoredItem.images))
            .where(*published).group_by(ScoredItem.unit_slug)):
        put(unit, "photos", int(photos or 0))
    for unit, items in session.execute(
            sa.select(ScoredItem.unit_slug, sa.func.count())
            .join(ItemColumn, ItemColumn.submission_id == ScoredItem.submission_id)
            .where(*published, ItemColumn.column == CULTURE).group_by(ScoredItem.unit_slug)):
        put(unit, "culture", int(items))
    start, end = _days(months)
    for unit, reads in session.execute(
            sa.select(ReadTotal.unit_slug, sa.func.sum(ReadTotal.reads))
            .where(ReadTotal.day >= start, ReadTotal.day < end).group_by(ReadTotal.unit_slug)):
        put(unit, "reads", int(reads or 0))
    years = sorted({int(m[:4]) for m in months})
    marks: dict[str, list[str]] = {}
    for mark in session.scalars(sa.select(FeatureMark).where(
            FeatureMark.year.in_(years), FeatureMark.unit_slug.is_not(None))
            .order_by(FeatureMark.year, FeatureMark.series)):
        marks.setdefault(str(mark.unit_slug), []).append(f"{mark.title}第{mark.rank}名")
    for unit, named in marks.items():
        put(unit, "features", "、".join(named))
    return out
