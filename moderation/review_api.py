"""The moderator's item view, claims, bulk decisions, the revision diff and reason templates.

These back the queue page and are plain JSON endpoints that a script can use as well.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from moderation import claims, decisions, diffing, reasons
from moderation.models import Review
from moderation.routes import queue_item
from services import audit
from services.db import utcnow
from services.http import (
    ContextDep,
    CurrentUser,
    RowId,
    answers,
    reason_required,
    status_of,
)
from services.identity import Role, require_role, unit_names, user_names
from services.refusals import Invalid, NotFound, TooLarge

router = APIRouter(tags=["moderation"])
MAX_BULK = 100



class BulkItem(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)
    content_hash: str | None = Field(default=None, max_length=64)


class BulkDecisionIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=reason_required("reject"))

    action: Literal["approve", "reject"]  # a return needs words for the one item it returns
    reason: str = Field(default="", max_length=2000)
    items: list[BulkItem] = Field(min_length=1, max_length=MAX_BULK)


class ReasonIn(BaseModel):
    action: Literal["approve", "reject", "return"]
    text: str = Field(min_length=1, max_length=500)


class ReasonEdit(BaseModel):
    text: str | None = Field(default=None, min_length=1, max_length=500)
    position: int | None = Field(default=None, ge=0, le=10_000)


def _staff(user: Any) -> None:
    require_role(user, Role.MODERATOR, Role.ADMIN)


# --- reason templates (static paths first: they must not be read as an item id) ---------------

@router.get("/api/moderation/reasons", summary="审核理由模板 (reason templates)")
def list_reasons(ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    with ctx.db.session() as session:
        return {"reasons": [reasons.to_public(t) for t in reasons.all_templates(session)]}


@router.post("/api/moderation/reasons", status_code=201, responses=answers(413),
             summary="添加理由模板 (add a template)")
def add_reason(body: ReasonIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    text = body.text.strip()
    if not text:
        raise Invalid("理由不能为空 (text is required)")
    with ctx.db.transaction() as session:
        limit = ctx.settings.max_reason_templates
        if reasons.count(session) >= limit:
            raise TooLarge(f"理由模板已达 {limit} 条上限，请先删除不用的模板 "
                           f"(at most {limit} reason templates)")
        template = reasons.ReasonTemplate(
            action=body.action, text=text, position=reasons.next_position(session, body.action),
            updated_by=user.name, updated_at=utcnow())
        session.add(template)
        session.flush()
        audit.record(session, user, "reason.add", f"reason/{template.id}", text,
                     reason_action=body.action)
        return reasons.to_public(template)


@router.put("/api/moderation/reasons/{reason_id}", summary="修改理由模板 (edit a template)")
def edit_reason(reason_id: RowId, body: ReasonEdit,
                ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    with ctx.db.transaction() as session:
        template = session.get(reasons.ReasonTemplate, reason_id, with_for_update=True)
        if template is None:
            raise NotFound.of("理由模板")
        before = template.text
        if body.text is not None:
            if not body.text.strip():
                raise Invalid("理由不能为空 (text is required)")
            template.text = body.text.strip()
        if body.position is not None:
            template.position = body.position
        template.updated_by, template.updated_at = user.name, utcnow()
        audit.record(session, user, "reason.edit", f"reason/{reason_id}", template.text,
                     before=before)
        return reasons.to_public(template)


@router.delete("/api/moderation/reasons/{reason_id}", summary="删除理由模板 (remove a template)")
def remove_reason(reason_id: RowId, ctx: ContextDep,
                  user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    with ctx.db.transaction() as session:
        template = session.get(reasons.ReasonTemplate, reason_id, with_for_update=True)
        if template is None:
            raise NotFound.of("理由模板")
        audit.record(session, user, "reason.remove", f"reason/{reason_id}", template.text)
        session.delete(template)
    return {"id": reason_id, "removed": True}


@router.post("/api/moderation/decisions", summary="批量通过或不予采用 (bulk approve or reject)")
def bulk_decide(body: BulkDecisionIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    if body.action == "reject" and not body.reason.strip():
        raise Invalid("不予采用时须写明理由 (a reason is required)")
    ids = [item.id for item in body.items]
    if len(set(ids)) != len(ids):
        raise Invalid("同一稿件不能在一次批量操作中出现两次 (duplicate ids)")
    outcomes = decisions.decide_many(ctx, user, [(i.id, i.content_hash) for i in body.items],
                                     body.action, body.reason)
    results = [_result(outcome) for outcome in outcomes]
    return {"action": body.action, "decided": sum(r["ok"] for r in results),
            "refused": sum(not r["ok"] for r in results), "results": results}


def _result(outcome: decisions.Outcome) -> dict[str, Any]:
    """One item's line in the bulk answer: its status code as a single decision would have it."""
    if outcome.refusal is None:
        return {**(outcome.decided or {}), "ok": True, "code": 200}
    return {"id": outcome.submission, "ok": False, "code": status_of(outcome.refusal),
            "detail": outcome.refusal.message}


# --- one item ------------------------------------------------------------------------------

def _review(session: Any, submission_id: int) -> Review:
    review = session.get(Review, submission_id)
    if review is None:
        raise NotFound.of("待审稿件")
    return review


@router.get("/api/moderation/{submission_id}", summary="一份送审稿件 (one screened item)")
def get_item(submission_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    now = utcnow()
    with ctx.db.session() as session:
        review = _review(session, submission_id)
        names, units = user_names(session), unit_names(session)
    item = queue_item(review, names, units, now, user)
    item.update(state=review.state, reason=review.reason,
                decided_by=review.decided_by,
                decided_by_name=names.get(review.decided_by or 0, ""),
                decided_at=review.decided_at.isoformat() if review.decided_at else None)
    return item


@router.get("/api/moderation/{submission_id}/diff",
            summary="修改稿与退回稿的差异 (a revision against the returned version)")
def revision_diff(submission_id: RowId, ctx: ContextDep,
                  user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    with ctx.db.session() as session:
        review = _review(session, submission_id)
        original_id = review.content.get("revision_of")
        if not original_id:
            raise NotFound.of("原稿（该稿件不是修改稿）")
        original = _review(session, original_id)
        names = user_names(session)
    new, old = review.content, original.content
    title = diffing.diff_text(old.get("title", ""), new.get("title", ""))
    body = diffing.diff_text(old.get("body", ""), new.get("body", ""))
    return {
        "id": submission_id, "against": original_id,
        "original": {"title": old.get("title", ""), "state": original.state,
                     "reason": original.reason, "decided_at": original.decided_at.isoformat()
                     if original.decided_at else None,
                     "decided_by_name": names.get(original.decided_by or 0, "")},
        "title": title, "body": body,
        "photos": diffing.photo_changes(old.get("photos", []), new.get("photos", [])),
        "changed": {k: v for k, v in diffing.changed_chars(title + body).items()},
    }


@router.post("/api/moderation/{submission_id}/claim",
             summary="认领（续期）一份待审稿件 (claim or renew)")
def claim_item(submission_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    return claims.claim(ctx, user, submission_id).to_public()


@router.delete("/api/moderation/{submission_id}/claim", summary="放弃认领 (let go of a claim)")
def release_item(submission_id: RowId, ctx: ContextDep,
                 user: CurrentUser) -> dict[str, Any]:
    _staff(user)
    return claims.release(ctx, user, submission_id).to_public()
