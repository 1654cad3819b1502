"""The moderator's endpoints (the queue and decisions) and the admin's lexicon endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from moderation import claims, decisions
from moderation.lexicon import Lexicon
from moderation.models import Review, ReviewState
from services import audit
from services.db import utcnow
from services.http import IMAGES, ContextDep, CurrentUser, RowId, answers, reason_required
from services.identity import Principal, Role, require_role, unit_names, user_names
from services.refusals import NotFound

router = APIRouter(tags=["moderation"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=reason_required("reject", "return"))

    action: Literal["approve", "reject", "return"]
    reason: str = Field(default="", max_length=2000)
    # the content the moderator saw: refused with 409 if it is not what was screened
    content_hash: str | None = Field(default=None, max_length=64)


class LexiconEntryIn(BaseModel):
    word: str = Field(min_length=1, max_length=100)
    category: str = Field(min_length=1, max_length=32)
    action: Literal["block", "flag", "allow"]  # allow: a benign word that holds a listed one


def queue_item(review: Review, names: dict[int, str], units: dict[str, Any],
               now: dt.datetime, viewer: Principal | None = None) -> dict[str, Any]:
    content = review.content
    unit = units.get(review.unit_slug)
    holder = claims.holder(review, now)
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
        "claimed_by": holder,
        "claimed_by_name": names.get(holder, "") if holder else "",
        "claim_expires_at": review.claim_expires_at.isoformat() if holder and
        review.claim_expires_at else None,
        "revision_of": content.get("revision_of"),
        "content_hash": content.get("content_hash"),
        "duplicate_of": next((f["duplicate_of"] for f in review.findings
                              if f.get("duplicate_of")), content.get("duplicate_of")),
        "recused": claims.recusal(review, viewer) if viewer else None,
    }


@router.get("/api/moderation/queue", summary="待人工审核的稿件 (the flagged items)")
def moderation_queue(
    ctx: ContextDep, user: CurrentUser,
    category: Annotated[str | None, Query(max_length=32)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[Literal["article", "photo"] | None, Query()] = None,
    older_than_hours: Annotated[float | None, Query(ge=0, le=24 * 366)] = None,
    order: Annotated[Literal["oldest", "newest"], Query()] = "oldest",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    oldest_first = order == "oldest"
    query = (sa.select(Review).where(Review.state == ReviewState.FLAGGED)
             .order_by(Review.screened_at if oldest_first else Review.screened_at.desc(),
                       Review.submission_id if oldest_first else Review.submission_id.desc()))
    if unit:
        query = query.where(Review.unit_slug == unit)
    if kind:
        query = query.where(Review.kind == kind)
    now = utcnow()
    if older_than_hours:
        query = query.where(Review.screened_at <= now - dt.timedelta(hours=older_than_hours))
    with ctx.db.session() as session:
        reviews = session.scalars(query).all()
        names, units = user_names(session), unit_names(session)
    counts: dict[str, int] = {}  # per category, before the category filter: the filter's menu
    for review in reviews:
        for cat in {f.get("category", "") for f in review.findings}:
            counts[cat] = counts.get(cat, 0) + 1
    if category:
        reviews = [r for r in reviews if any(f.get("category") == category for f in r.findings)]
    items = [queue_item(r, names, units, now, user) for r in reviews[:limit]]
    return {"total": len(reviews), "counts": counts, "items": items}


@router.post("/api/moderation/{submission_id}/decision",
             summary="审核决定：通过、不予采用或退回修改 (approve, reject or return)")
def decide(submission_id: RowId, decision: DecisionIn, ctx: ContextDep,
           user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    return decisions.decide(ctx, user, submission_id, decisions.Decision(
        decision.action, decision.reason, decision.content_hash))


@router.get("/api/moderation/{submission_id}/photos/{index}", response_class=Response,
            responses=answers(media=IMAGES),
            summary="原始照片，供审核员查看 (an original photo, for moderators)")
def original_photo(submission_id: RowId, index: Annotated[int, Path(ge=0, le=1000)],
                   ctx: ContextDep, user: CurrentUser) -> StreamingResponse:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    with ctx.db.session() as session:
        review = session.get(Review, submission_id)
    photos = review.content.get("photos", []) if review else []
    if index >= len(photos):
        raise NotFound.of("照片")
    key = photos[index]["key"]
    try:
        chunks = ctx.uploads.iter_chunks(key)
        info = ctx.uploads.stat(key)
    except FileNotFoundError as exc:
        raise NotFound.of("照片") from exc
    return StreamingResponse(chunks, media_type=info.content_type,
                             headers={"Cache-Control": "private, max-age=3600",
                                      # an original is whatever the informant sent: a browser
                                      # must never read it as anything but its image type
                                      "X-Content-Type-Options": "nosniff"})


def lexicon_router(lexicon: Lexicon) -> APIRouter:
    api = APIRouter(prefix="/api/lexicon", tags=["lexicon"])

    @api.get("", summary="筛查词库 (the screening lexicon)")
    def list_lexicon(ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        with ctx.db.session() as session:
            entries = lexicon.entries(session)
        version = lexicon.version_of(entries)
        return {"version": version, "entries": [
            {"word": e.word, "category": e.category, "action": e.action} for e in entries],
            "refused": lexicon.refused}

    @api.post("", status_code=201, summary="添加或修改词条 (add or change an entry)")
    def add_entry(entry: LexiconEntryIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        checked = lexicon.check(entry.word, entry.category, entry.action)
        with ctx.db.transaction() as session:
            lexicon.add(session, checked, by=user.name)
            audit.record(session, user, "lexicon.add", f"lexicon/{checked.word}",
                         category=checked.category, lexicon_action=checked.action)
        return {"word": checked.word, "category": checked.category, "action": checked.action}

    @api.delete("/{word}", summary="删除词条 (remove an entry)")
    def remove_entry(word: str, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        with ctx.db.transaction() as session:
            if not lexicon.remove(session, word, by=user.name):
                raise NotFound.of("词条")
            audit.record(session, user, "lexicon.remove", f"lexicon/{word}")
        return {"word": word, "removed": True}

    return api
