"""The moderator's hold on the site: retract an item (撤稿), put it back after a correction
(republish), and choose the home page's lead item (头条). Each records its decision and sends
an event; the publisher's consumer then writes the pages.

Republishing: a retracted item is corrected by the moderator (title, body, captions, which
photos stay) and goes back under its old address with its original publication date; the
informant sees it approved again, then published, and scoring books it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from publisher.models import ItemState, PublishedItem, SiteLock
from services import audit, duties, outbox
from services.context import Context
from services.contracts.submissions import (
    Lead,
    Reinstated,
    Retracted,
    SubmissionIdentity,
    subject_of,
)
from services.db import utcnow
from services.http import ContextDep, CurrentUser, RowId
from services.identity import Principal, Role, require_role
from services.refusals import Conflict, Invalid, NotFound, TooLarge
from services.settings import Settings

router = APIRouter(tags=["publisher"])


class RetractIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RepublishIn(BaseModel):
    """What the moderator corrected; anything left out stays as it was."""

    reason: str = Field(min_length=1, max_length=2000)
    title: str | None = None
    body: str | None = None
    photos: list[int] | None = Field(None, description="the photos that stay, by position")
    captions: list[str] | None = Field(None, description="one for each photo that stays")


@router.get("/api/columns", summary="栏目 (the site's columns)")
def list_columns(ctx: ContextDep) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "description": c.description, "kind": c.kind,
             "senders": sorted(c.senders)} for c in ctx.columns]


def _published(session: Session, submission_id: int) -> PublishedItem:
    item = session.get(PublishedItem, submission_id, with_for_update=True)
    if item is None:
        raise NotFound.of("已发布稿件")
    return item


def _by(user: Principal) -> str:
    return f"user:{user.id}"


@contextmanager
def _holding(ctx: Context, user: Principal, submission_id: int, reason: str,
             what: str) -> Iterator[tuple[Session, PublishedItem, SubmissionIdentity, str]]:
    """What retracting and republishing share: a moderator's decision with its reason, on the
    published item, locked in the transaction the decision is recorded in."""
    require_role(user, Role.MODERATOR, Role.ADMIN)
    reason = reason.strip()
    if not reason:
        raise Invalid(f"{what}须写明理由 (a reason is required)")
    with ctx.db.transaction() as session:
        item = _published(session, submission_id)
        identity = SubmissionIdentity.from_data(item.identity)
        duties.refuse_if_recused(user, identity.unit, identity.informant)
        yield session, item, identity, reason


@router.post("/api/submissions/{submission_id}/retract", summary="撤稿 (take an item off the site)")
def retract(submission_id: RowId, body: RetractIn, ctx: ContextDep,
            user: CurrentUser) -> dict[str, Any]:
    with _holding(ctx, user, submission_id, body.reason, "撤稿") as (session, item, identity,
                                                                   reason):
        if item.state != ItemState.PUBLISHED:
            raise Conflict("该稿件已撤下 (already retracted)")
        item.state, item.lead, item.updated_at = ItemState.RETRACTED, False, utcnow()
        outbox.emit(session, Retracted.about(identity, reason=reason, by=_by(user)).event())
        audit.record(session, user, "retract", subject_of(identity.submission), reason)
    return {"id": submission_id, "status": "retracted"}


def _corrected(item: PublishedItem, body: RepublishIn, settings: Settings) -> dict[str, Any]:
    """The item as it goes back on the site, or a 422 saying what is wrong."""
    title = item.title if body.title is None else body.title.strip()
    if not title:
        raise Invalid("标题不能为空 (title is required)")
    if len(title) > settings.max_title_chars:
        raise Invalid(f"标题不能超过 {settings.max_title_chars} 字 (title too long)")
    text = item.body if body.body is None else body.body.strip()
    if item.kind == "article" and not text:
        raise Invalid("文章正文不能为空 (body is required for an article)")
    if len(text) > settings.max_body_chars:
        raise TooLarge(f"正文不能超过 {settings.max_body_chars} 字 (body too long)")
    keep = list(range(len(item.photos))) if body.photos is None else body.photos
    if len(set(keep)) != len(keep) or any(not 0 <= i < len(item.photos) for i in keep):
        raise Invalid(f"photos 须为 0 到 {len(item.photos) - 1} 之间不重复的序号 "
                      f"(photos must be distinct positions of the item's photos)")
    if item.kind == "photo" and not keep:
        raise Invalid("图片稿件至少要保留一张照片 (a photo item keeps at least one photo)")
    captions = [item.photos[i].get("caption", "") for i in keep] if body.captions is None \
        else [c.strip() for c in body.captions]
    if len(captions) != len(keep):
        raise Invalid(f"须为保留的 {len(keep)} 张照片各写一条说明 "
                      f"(one caption for each photo kept)")
    if any(len(c) > settings.max_caption_chars for c in captions):
        raise Invalid(f"图片说明不能超过 {settings.max_caption_chars} 字 (caption too long)")
    photos = [{"key": item.photos[i]["key"], "caption": c} for i, c in zip(keep, captions,
                                                                          strict=True)]
    return {"title": title, "body": text, "photos": photos}


@router.post("/api/submissions/{submission_id}/republish",
             summary="撤稿更正后重新发布 (put a retracted item back, corrected)")
def republish(submission_id: RowId, body: RepublishIn, ctx: ContextDep,
              user: CurrentUser) -> dict[str, Any]:
    with _holding(ctx, user, submission_id, body.reason, "重新发布") as (session, item, identity,
                                                                       reason):
        if item.state == ItemState.PUBLISHED:
            raise Conflict("该稿件正在网站上，无需重新发布 (the item is on the site)")
        if item.state == ItemState.REINSTATING:
            raise Conflict("该稿件已在重新发布中 (already being republished)")
        corrected = _corrected(item, body, ctx.settings)
        changed = [k for k in ("title", "body") if corrected[k] != getattr(item, k)]
        if [p["caption"] for p in corrected["photos"]] != [p.get("caption", "")
                                                           for p in item.photos]:
            changed.append("photos")
        item.state, item.updated_at = ItemState.REINSTATING, utcnow()
        outbox.emit(session, Reinstated.about(
            identity, **corrected, column=item.column, reason=reason, by=_by(user),
            corrected=changed).event())
        audit.record(session, user, "republish", subject_of(identity.submission), reason,
                     corrected=changed)
    return {"id": submission_id, "status": "approved", "url": item.url, "corrected": changed}


@router.post("/api/submissions/{submission_id}/lead", summary="设为首页头条 (make the lead item)")
def make_lead(submission_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    with ctx.db.transaction() as session:
        # one lead at a time: lead changes take the site lock, so two never interleave
        session.get(SiteLock, 1, with_for_update=True)
        item = _published(session, submission_id)
        identity = SubmissionIdentity.from_data(item.identity)
        duties.refuse_if_recused(user, identity.unit, identity.informant)
        if item.state != ItemState.PUBLISHED:
            raise Conflict("只有已发布的稿件才能设为头条 (only a published item can lead)")
        if item.lead:
            return {"id": submission_id, "lead": True}
        session.execute(sa.update(PublishedItem).where(PublishedItem.lead).values(lead=False))
        session.flush()
        item.lead = True
        outbox.emit(session, Lead.about(identity, by=_by(user)).event())
        audit.record(session, user, "lead", subject_of(identity.submission))
    return {"id": submission_id, "lead": True}
