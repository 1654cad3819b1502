"""The 约稿 endpoints: admins post a topic to chosen units; anyone lists them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from scoring import topics
from services.http import ContextDep, CurrentUser


class TopicIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    deadline: str = Field(min_length=8, max_length=40)
    units: list[str] = Field(min_length=1, max_length=1000)
    description: str = Field(default="", max_length=5000)


def build_router() -> APIRouter:
    router = APIRouter(tags=["scoring"])

    @router.post("/api/topics", status_code=201, summary="发布约稿 (commission a topic)")
    def post_topic(body: TopicIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        return topics.commission(ctx, user, title=body.title, deadline=body.deadline,
                                 units=body.units, description=body.description)

    @router.get("/api/topics", summary="约稿列表 (commissioned topics, newest deadline first)")
    def get_topics(ctx: ContextDep, user: CurrentUser,
                   unit: Annotated[str | None, Query(max_length=64)] = None,
                   open_only: Annotated[bool, Query(alias="open")] = False) -> dict[str, Any]:
        return {"topics": topics.listed(ctx, unit=unit, open_only=open_only)}

    return router
