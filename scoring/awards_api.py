"""The endpoints that record an adoption or a leader's instruction (see :mod:`scoring.awards`)."""

# no "from __future__ import annotations": the bodies are classes made inside build_router,
# which FastAPI can only see as the objects themselves

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from scoring import awards
from scoring.rules import Rules
from services.http import ContextDep, CurrentUser, RowId


def build_router(rules: Rules) -> APIRouter:
    router = APIRouter(tags=["scoring"])

    # the levels are the rules file's: the document names them, awards.record says which
    # it takes when another is sent
    class AdoptionIn(BaseModel):
        level: str = Field(min_length=1, max_length=32,
                           json_schema_extra={"enum": list(rules.adoption)})
        outlet: str = Field(default="", max_length=200)

    class InstructionIn(BaseModel):
        level: str = Field(min_length=1, max_length=32,
                           json_schema_extra={"enum": list(rules.instruction)})
        by: str = Field(default="", max_length=200)

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
