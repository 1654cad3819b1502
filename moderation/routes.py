"""The moderator's endpoints (the queue and decisions) and the admin's lexicon endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from moderation import lexicon as lex
from moderation.handlers import decision_event
from moderation.lexicon import Lexicon, LexiconError
from moderation.models import Review, ReviewState
from services import audit, outbox
from services.db import utcnow
from services.http import ApiError, ContextDep, CurrentUser, not_found, require_role
from services.identity import Role, unit_names, user_names

router = APIRouter(tags=["moderation"])

ACTION_STATES = {"approve": ReviewState.APPROVED, "reject": ReviewState.REJECTED,
                 "return": ReviewState.RETURNED}


class DecisionIn(BaseModel):
    action: Literal["approve", "reject", "return"]
    reason: str = Field(default="", max_length=2000)


class LexiconEntryIn(BaseModel):
    word: str = Field(min_length=1, max_length=100)
    category: str = Field(min_length=1, max_length=32)
    action: Literal["block", "flag"]


def queue_item(review: Review, names: dict[int, str], units: dict[str, Any],
               now: dt.datetime) -> dict[str, Any]:
    content = review.content
    unit = units.get(review.unit_slug)
    return {
        "id": review.submission_id,
        "kind": review.kind,
        "title": content["title"],
        "body": content["body"],
        "column": content["column"],
        "unit": review.unit_slug,
        "unit_name": unit.name if unit else review.unit_slug,
        "informant": content["informant"],
        "informant_name": content.get("informant_name", ""),
        "photos": [
            {**{k: p.get(k) for k in ("filename", "caption", "bytes")}, **review.photos[i],
             "url": f"/api/moderation/{review.submission_id}/photos/{i}"}
            for i, p in enumerate(content.get("photos", []))
        ],
        "findings": review.findings,
        "lexicon_version": review.lexicon_version,
        "screened_at": review.screened_at.isoformat(),
        "waiting_seconds": int((now - review.screened_at).total_seconds()),
        "claimed_by": review.claimed_by if _claim_active(review, now) else None,
        "claimed_by_name": names.get(review.claimed_by or 0, "") if _claim_active(review, now)
        else "",
        "revision_of": content.get("revision_of"),
    }


def _claim_active(review: Review, now: dt.datetime) -> bool:
    return bool(review.claimed_by and review.claim_expires_at and review.claim_expires_at > now)


@router.get("/api/moderation/queue", summary="待人工审核的稿件 (the flagged items)")
def moderation_queue(
    ctx: ContextDep, user: CurrentUser,
    category: Annotated[str | None, Query(max_length=32)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[Literal["article", "photo"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    query = (sa.select(Review).where(Review.state == ReviewState.FLAGGED)
             .order_by(Review.screened_at, Review.submission_id))
    if unit:
        query = query.where(Review.unit_slug == unit)
    if kind:
        query = query.where(Review.kind == kind)
    now = utcnow()
    with ctx.db.session() as session:
        reviews = session.scalars(query).all()
        names, units = user_names(session), unit_names(session)
    if category:
        reviews = [r for r in reviews if any(f.get("category") == category for f in r.findings)]
    counts: dict[str, int] = {}
    for review in reviews:
        for cat in {f.get("category", "") for f in review.findings}:
            counts[cat] = counts.get(cat, 0) + 1
    items = [queue_item(r, names, units, now) for r in reviews[:limit]]
    return {"total": len(reviews), "counts": counts, "items": items}


@router.post("/api/moderation/{submission_id}/decision",
             summary="审核决定：通过、不予采用或退回修改 (approve, reject or return)")
def decide(submission_id: int, decision: DecisionIn, ctx: ContextDep,
           user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    reason = decision.reason.strip()
    if decision.action != "approve" and not reason:
        raise ApiError(422, "不予采用或退回修改时须写明理由 (a reason is required)")
    state = ACTION_STATES[decision.action]
    now = utcnow()
    with ctx.db.transaction() as session:
        review = session.get(Review, submission_id, with_for_update=True)
        if review is None:
            raise not_found("待审稿件")
        if review.state != ReviewState.FLAGGED:
            raise ApiError(409, f"该稿件已处理（{review.state}），不能再次决定 "
                                f"(already decided: {review.state})")
        if _claim_active(review, now) and review.claimed_by != user.id:
            raise ApiError(409, "该稿件正由其他审核员处理 (claimed by another moderator)")
        review.state = state
        review.decided_by, review.decided_at, review.reason = user.id, now, reason or None
        review.claimed_by = review.claim_expires_at = None
        outbox.emit(session, decision_event(review, state, by=f"user:{user.id}", reason=reason))
        audit.record(session, user, f"decision.{decision.action}", f"submission/{submission_id}",
                     reason)
    return {"id": submission_id, "status": state.value, "reason": reason}


@router.get("/api/moderation/{submission_id}/photos/{index}",
            summary="原始照片，供审核员查看 (an original photo, for moderators)")
def original_photo(submission_id: int, index: Annotated[int, Path(ge=0, le=1000)],
                   ctx: ContextDep, user: CurrentUser) -> StreamingResponse:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    with ctx.db.session() as session:
        review = session.get(Review, submission_id)
    photos = review.content.get("photos", []) if review else []
    if index >= len(photos):
        raise not_found("照片")
    key = photos[index]["key"]
    try:
        chunks = ctx.uploads.iter_chunks(key)
        info = ctx.uploads.stat(key)
    except FileNotFoundError as exc:
        raise not_found("照片") from exc
    return StreamingResponse(chunks, media_type=info.content_type,
                             headers={"Cache-Control": "private, max-age=3600"})


def lexicon_router(lexicon: Lexicon) -> APIRouter:
    api = APIRouter(prefix="/api/lexicon", tags=["lexicon"])

    @api.get("", summary="筛查词库 (the screening lexicon)")
    def list_lexicon(ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        with ctx.db.session() as session:
            entries = lexicon.entries(session)
        version = lexicon.screener().version
        return {"version": version, "entries": [
            {"word": e.word, "category": e.category, "action": e.action} for e in entries]}

    @api.post("", status_code=201, summary="添加或修改词条 (add or change an entry)")
    def add_entry(entry: LexiconEntryIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        try:
            checked = lex.check_entry(entry.word, entry.category, entry.action)
        except LexiconError as exc:
            raise ApiError(422, str(exc)) from exc
        with ctx.db.transaction() as session:
            lex.add(session, checked, by=user.name)
            audit.record(session, user, "lexicon.add", f"lexicon/{checked.word}",
                         category=checked.category, lexicon_action=checked.action)
        return {"word": checked.word, "category": checked.category, "action": checked.action}

    @api.delete("/{word}", summary="删除词条 (remove an entry)")
    def remove_entry(word: str, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        with ctx.db.transaction() as session:
            if not lex.remove(session, word, user.name, lexicon.entries(session)):
                raise not_found("词条")
            audit.record(session, user, "lexicon.remove", f"lexicon/{word}")
        return {"word": word, "removed": True}

    return api
