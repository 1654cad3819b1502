"""The letter API for the centre and the handling units (``/api/letters``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from moderation.letters import claims
from moderation.letters.access import is_centre, require_desk_role, visible_case
from moderation.letters.desk import Desk
from moderation.letters.models import CaseState, LetterCase
from moderation.letters.views import detail, is_overdue, row
from moderation.letters.workflow import Actions
from services import audit
from services.http import IMAGES, CurrentUser, answers
from services.identity import Principal, unit_names, user_names
from services.refusals import Forbidden, NotFound

LetterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Slug = Annotated[str, Field(max_length=64)]
Reason = Annotated[str, Field(max_length=2000)]


class AssignIn(BaseModel):
    unit: Slug


class ReasonIn(BaseModel):
    reason: Reason = ""


class SendBackIn(BaseModel):
    reason: Reason
    suggest: Slug


class ReplyIn(BaseModel):
    text: Annotated[str, Field(max_length=50_000)]


class ReviewIn(BaseModel):
    action: Literal["approve", "return"]
    reason: Reason = ""


class PauseIn(BaseModel):
    question: Reason


class ExtensionIn(BaseModel):
    days: Annotated[int, Field(ge=1, le=30)]
    reason: Reason


class ExtensionDecisionIn(BaseModel):
    action: Literal["grant", "refuse"]
    reason: Reason = ""


def build_router(desk: Desk) -> APIRouter:
    router = APIRouter(prefix="/api/letters", tags=["mailbox"])
    actions = Actions(desk)
    db = desk.ctx.db

    def view(user: Principal, case_id: int) -> dict[str, Any]:
        now = desk.now()
        with db.transaction() as session:
            case = visible_case(session, user, case_id)
            # every view of the writer's contact details is on the audit log
            audit.record(session, user, "letter.view", f"letter/{case_id}")
            units = {s: u.name for s, u in unit_names(session).items()}
            return detail(desk, case, desk.today(now), units, user_names(session), now)

    @router.get("", summary="来信列表 (letters: the centre's all, a unit's its own)")
    def list_letters(
        user: CurrentUser,
        status: Annotated[CaseState | None, Query()] = None,
        unit: Annotated[str | None, Query(max_length=64)] = None,
        overdue: Annotated[bool | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 200,
    ) -> dict[str, Any]:
        require_desk_role(user)
        query = sa.select(LetterCase).order_by(LetterCase.due.is_(None), LetterCase.due,
                                               LetterCase.letter_id)
        if not is_centre(user):
            if unit is not None and unit != user.unit:
                raise Forbidden("只能查看本单位的来信 (you can list only your unit's letters)")
            unit = user.unit or "-"
        if unit is not None:
            query = query.where(LetterCase.unit == unit)
        if status is not None:
            query = query.where(LetterCase.state == status.value)
        now = desk.now()
        today = desk.today(now)
        with db.session() as session:
            units = {s: u.name for s, u in unit_names(session).items()}
            names = user_names(session)
            items = [row(desk, case, today, units, names, now)
                     for case in session.scalars(query)
                     if overdue is None or is_overdue(case, today) == overdue][:limit]
            counts = dict(session.execute(
                sa.select(LetterCase.state, sa.func.count()).group_by(LetterCase.state)
                .where(LetterCase.unit == unit if unit is not None else sa.true())).all())
        return {"total": len(items), "items": items, "counts": counts}

    @router.get("/{letter_id:int}", summary="一封来信（含来信人联系方式，查看留痕）")
    def get_letter(letter_id: LetterId, user: CurrentUser) -> dict[str, Any]:
        return view(user, letter_id)

    @router.get("/{letter_id:int}/attachments/{position:int}", summary="来信附件",
                response_class=Response,
                responses=answers(media=(*IMAGES, "application/pdf")))
    def attachment(letter_id: LetterId, position: Annotated[int, Path(ge=0, le=100)],
                   user: CurrentUser) -> Response:
        with db.transaction() as session:
            case = visible_case(session, user, letter_id)
            if position >= len(case.attachments):
                raise NotFound.of("附件")
            item = case.attachments[position]
            audit.record(session, user, "letter.attachment.view", f"letter/{letter_id}",
                         position=position)
        try:
            data = desk.ctx.uploads.get_bytes(item["key"])
        except FileNotFoundError as exc:
            raise NotFound.of("附件") from exc
        return Response(data, media_type=item.get("content_type", "application/octet-stream"),
                        headers={"Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff",
                                 "Content-Disposition": "inline"})

    @router.post("/{letter_id:int}/assign", summary="受理并转交办理单位 (centre)")
    def assign(letter_id: LetterId, body: AssignIn, user: CurrentUser) -> dict[str, Any]:
        actions.assign(user, letter_id, body.unit)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/decline", summary="不予受理 (centre)")
    def decline(letter_id: LetterId, body: ReasonIn, user: CurrentUser) -> dict[str, Any]:
        actions.decline(user, letter_id, body.reason)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/send-back", summary="退回：不属于本单位 (handler)")
    def send_back(letter_id: LetterId, body: SendBackIn, user: CurrentUser) -> dict[str, Any]:
        case = actions.send_back(user, letter_id, body.reason, body.suggest)
        return {"id": case.letter_id, "status": case.state, "suggested_unit": body.suggest}

    @router.post("/{letter_id:int}/reply", summary="答复，交信息中心审核 (handler)")
    def reply(letter_id: LetterId, body: ReplyIn, user: CurrentUser) -> dict[str, Any]:
        actions.answer(user, letter_id, body.text)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/review", summary="审核答复 (centre)")
    def review(letter_id: LetterId, body: ReviewIn, user: CurrentUser) -> dict[str, Any]:
        actions.review(user, letter_id, body.action == "approve", body.reason)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/pause", summary="挂起：请来信人补充材料 (handler)")
    def pause(letter_id: LetterId, body: PauseIn, user: CurrentUser) -> dict[str, Any]:
        actions.pause(user, letter_id, body.question)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/extension", summary="申请延期 (handler)")
    def extension(letter_id: LetterId, body: ExtensionIn, user: CurrentUser) -> dict[str, Any]:
        actions.request_extension(user, letter_id, body.days, body.reason)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/extension/decision", summary="批准或不批准延期 (centre)")
    def extension_decision(letter_id: LetterId, body: ExtensionDecisionIn,
                           user: CurrentUser) -> dict[str, Any]:
        actions.decide_extension(user, letter_id, body.action == "grant", body.reason)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/retract", summary="从网站撤下公开的来信 (centre)")
    def retract(letter_id: LetterId, body: ReasonIn, user: CurrentUser) -> dict[str, Any]:
        actions.retract(user, letter_id, body.reason)
        return view(user, letter_id)

    @router.post("/{letter_id:int}/claim", summary="认领（打开即认领）")
    def claim(letter_id: LetterId, user: CurrentUser) -> dict[str, Any]:
        case = claims.claim(desk, user, letter_id)
        return {"id": letter_id, "claimed_by": case.claimed_by,
                "expires_at": case.claim_expires_at.isoformat()
                if case.claim_expires_at else None}

    @router.delete("/{letter_id:int}/claim", summary="放弃认领")
    def release(letter_id: LetterId, user: CurrentUser) -> dict[str, Any]:
        claims.release(desk, user, letter_id)
        return {"id": letter_id, "claimed_by": None}

    return router
