"""The 约稿 endpoints: admins post a topic to chosen units; anyone lists them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from scoring.commissions import create_topic, to_public
from scoring.models import TopicRow
from scoring.world import all_topics
from services.db import utcnow
from services.http import ApiError, ContextDep, CurrentUser, require_role
from services.identity import Role, unit_names


class TopicIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    deadline: str = Field(min_length=8, max_length=40)
    units: list[str] = Field(min_length=1, max_length=1000)
    description: str = Field(default="", max_length=5000)


def parse_deadline(text: str, timezone: str) -> dt.datetime:
    """An ISO date (the end of that day) or date and time; without a zone, the commission's."""
    zone = ZoneInfo(timezone)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)
        when = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(422, "deadline 须为日期或日期时间，如 2026-12-05 或 2026-12-05T17:00 "
                            "(deadline must be an ISO date or date-time)") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def build_router() -> APIRouter:
    router = APIRouter(tags=["scoring"])

    @router.post("/api/topics", status_code=201, summary="发布约稿 (commission a topic)")
    def post_topic(body: TopicIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        title = body.title.strip()
        if not title:
            raise ApiError(422, "约稿标题不能为空 (title is required)")
        deadline = parse_deadline(body.deadline.strip(), ctx.settings.timezone)
        now = utcnow()
        if deadline <= now:
            raise ApiError(422, "截止时间须在将来 (the deadline must be in the future)")
        with ctx.db.transaction() as session:
            names = unit_names(session)
            unknown = sorted({u for u in body.units if u not in names})
            if unknown:
                raise ApiError(422, f"没有这些单位：{'、'.join(unknown)} (unknown units)")
            row = create_topic(session, title=title, description=body.description.strip(),
                               deadline=deadline, units=body.units, by=user.id)
            topic = all_topics(session)[str(row.id)]
            return to_public(session, topic, row, names, now)

    @router.get("/api/topics", summary="约稿列表 (commissioned topics, newest deadline first)")
    def get_topics(ctx: ContextDep, user: CurrentUser,
                   unit: Annotated[str | None, Query(max_length=64)] = None,
                   open_only: Annotated[bool, Query(alias="open")] = False) -> dict[str, Any]:
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
        return {"topics": out}

    return router
