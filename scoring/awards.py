"""Adoption by a higher outlet and leader instructions, as moderators and admins record them.

Each record is a row (one per item and level, so a second report of the same thing is a 409)
and an event through the outbox, which scoring's consumer scores like any other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field

from scoring.models import Award, ScoredItem
from scoring.rules import LEVEL_NAMES, Rules
from services import audit, duties, outbox
from services.contracts.submissions import Adopted, Instructed, SubmissionRef
from services.http import ApiError, ContextDep, CurrentUser, RowId, not_found, require_role
from services.identity import Principal, Role


class AdoptionIn(BaseModel):
    level: str = Field(min_length=1, max_length=32)
    outlet: str = Field(default="", max_length=200)


class InstructionIn(BaseModel):
    level: str = Field(min_length=1, max_length=32)
    by: str = Field(default="", max_length=200)


def _record(ctx: Any, user: Principal, submission_id: int, kind: str, level: str,
            source: str, levels: dict[str, int]) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    level = level.strip()
    if level not in levels:
        names = "、".join(levels)
        raise ApiError(422, f"level 须为 {names} 之一 (level must be one of: {', '.join(levels)})")
    what = "采用" if kind == "adoption" else "领导批示"
    with ctx.db.transaction() as session:
        item = session.get(ScoredItem, submission_id)
        if item is None:
            raise not_found("稿件")
        duties.refuse_if_recused(user, item.unit_slug, item.informant_id)
        if item.status != "published":
            raise ApiError(409, f"只有已发布的稿件才能登记{what}，该稿件状态为 {item.status} "
                                f"(only a published item can be recorded as {kind})")
        known = session.scalar(sa.select(Award.event_id).where(
            Award.submission_id == submission_id, Award.kind == kind, Award.level == level))
        if known is not None:
            raise ApiError(409, f"该稿件的{LEVEL_NAMES.get(level, level)}{what}已登记 "
                                f"({kind} at level {level} already recorded)")
        ref = SubmissionRef(submission=item.submission_id, kind=item.kind, unit=item.unit_slug,
                            unit_kind=item.unit_kind, informant=item.informant_id,
                            topic=item.topic, revision_of=item.revision_of)
        award: Adopted | Instructed = (
            Adopted.about(ref, level=level, outlet=source, recorded_by=user.id)
            if kind == "adoption"
            else Instructed.about(ref, level=level, by=source, recorded_by=user.id))
        event = outbox.emit(session, award.event())
        session.add(Award(submission_id=submission_id, kind=kind, level=level, source=source,
                          event_id=event.id, recorded_by=user.id))
        audit.record(session, user, kind, f"submission/{submission_id}", source, level=level)
    return {"submission": submission_id, "kind": kind, "level": level, "source": source,
            "event": event.id, "status": "recorded"}


def build_router(rules: Rules) -> APIRouter:
    router = APIRouter(tags=["scoring"])

    @router.post("/api/submissions/{submission_id}/adoptions", status_code=201,
                 summary="登记上级采用 (record an adoption by a higher outlet)")
    def record_adoption(submission_id: RowId, body: AdoptionIn, ctx: ContextDep,
                        user: CurrentUser) -> dict[str, Any]:
        return _record(ctx, user, submission_id, "adoption", body.level, body.outlet.strip(),
                       rules.adoption)

    @router.post("/api/submissions/{submission_id}/instructions", status_code=201,
                 summary="登记领导批示 (record a leader's instruction)")
    def record_instruction(submission_id: RowId, body: InstructionIn, ctx: ContextDep,
                           user: CurrentUser) -> dict[str, Any]:
        return _record(ctx, user, submission_id, "instruction", body.level, body.by.strip(),
                       rules.instruction)

    return router
