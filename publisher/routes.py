"""The published site under ``/site/``, and the moderator's retract and lead endpoints."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from publisher.models import PublishedItem
from services import audit, outbox
from services.columns import COLUMNS
from services.db import utcnow
from services.events import Event, EventType
from services.http import ApiError, ContextDep, CurrentUser, not_found, require_role
from services.identity import Role

router = APIRouter(tags=["publisher"])
NOT_FOUND_PAGE = "<!doctype html><meta charset=utf-8><title>404</title><h1>页面不存在</h1>".encode()


class RetractIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/api/columns", summary="栏目 (the site's columns)")
def list_columns() -> list[dict[str, str]]:
    return [{"id": c.id, "name": c.name, "description": c.description} for c in COLUMNS]


def _published(session: Any, submission_id: int) -> PublishedItem:
    item = session.get(PublishedItem, submission_id, with_for_update=True)
    if item is None:
        raise not_found("已发布稿件")
    return item


@router.post("/api/submissions/{submission_id}/retract", summary="撤稿 (take an item off the site)")
def retract(submission_id: int, body: RetractIn, ctx: ContextDep,
            user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    with ctx.db.transaction() as session:
        item = _published(session, submission_id)
        if item.state != "published":
            raise ApiError(409, "该稿件已撤下 (already retracted)")
        item.state, item.lead, item.updated_at = "retracted", False, utcnow()
        outbox.emit(session, Event(
            type=EventType.RETRACTED, subject=f"submission/{submission_id}",
            data={**item.identity, "reason": body.reason.strip(), "by": f"user:{user.id}"}))
        audit.record(session, user, "retract", f"submission/{submission_id}", body.reason)
    return {"id": submission_id, "status": "retracted"}


@router.post("/api/submissions/{submission_id}/lead", summary="设为首页头条 (make the lead item)")
def make_lead(submission_id: int, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    with ctx.db.transaction() as session:
        item = _published(session, submission_id)
        if item.state != "published":
            raise ApiError(409, "只有已发布的稿件才能设为头条 (only a published item can lead)")
        if item.lead:
            return {"id": submission_id, "lead": True}
        session.execute(sa.update(PublishedItem).where(PublishedItem.lead.is_(True))
                        .values(lead=False))
        item.lead = True
        outbox.emit(session, Event(type=EventType.LEAD, subject=f"submission/{submission_id}",
                                   data={**item.identity, "by": f"user:{user.id}"}))
        audit.record(session, user, "lead", f"submission/{submission_id}")
    return {"id": submission_id, "lead": True}


def _site_key(path: str) -> str:
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


@router.get("/site", include_in_schema=False)
@router.get("/site/{path:path}", include_in_schema=False)
def serve_site(request: Request, ctx: ContextDep, path: str = "") -> Response:
    key = _site_key(path)
    try:
        info = ctx.site.stat(key)
    except FileNotFoundError:
        try:
            page = ctx.site.get_bytes("404.html")
        except FileNotFoundError:
            page = NOT_FOUND_PAGE
        return Response(page, status_code=404, media_type="text/html; charset=utf-8")
    etag = f'"{info.etag}"'
    is_html = info.content_type.startswith("text/html")
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60" if is_html
               else "public, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    try:
        chunks = ctx.site.iter_chunks(key)
    except FileNotFoundError:
        return Response(status_code=404)
    content_type = info.content_type + ("; charset=utf-8" if is_html and "charset" not in
                                        info.content_type else "")
    headers["Content-Length"] = str(info.size)
    return StreamingResponse(chunks, media_type=content_type, headers=headers)
