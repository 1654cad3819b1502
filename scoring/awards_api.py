"""The endpoints that record an adoption or a leader's instruction (see :mod:`scoring.awards`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from scoring import awards
from scoring.rules import Rules
from services.http import ContextDep, CurrentUser, RowId


class AdoptionIn(BaseModel):
    level: str = Field(min_length=1, max_length=32)
    outlet: str = Field(default="", max_length=200)


class InstructionIn(BaseModel):
    level: str = Field(min_length=1, max_length=32)
    by: str = Field(default="", max_length=200)


def build_router(rules: Rules) -> APIRouter:
    router = APIRouter(tags=["scoring"])

    @router.post("/api/submissions/{submission_id}/adoptions", status_code=201,
                 summary="登记上级采用 (record an adoption by a higher outlet)")
    def record_adoption(submission_id: RowId, body: AdoptionIn, ctx: ContextDep,
                        user: CurrentUser) -> dict[str, Any]:
        return awards.record(ctx, user, submission_id, "adoption", body.level,
                             body.outlet.strip(), rules.adoption)

    @router.post("/api/submissions/{submission_id}/instructions", status_code=201,
                 summary="登记领导批示 (record a leader's instruction)")
    def record_instruction(submission_id: RowId, body: InstructionIn, ctx: ContextDep,
                           user: CurrentUser) -> dict[str, Any]:
        return awards.record(ctx, user, submission_id, "instruction", body.level,
                             body.by.strip(), rules.instruction)

    return router
