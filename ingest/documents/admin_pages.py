"""``/admin/documents``: where an office publishes a document, form or meeting notice, sees
where each stands, repeals one and exports a meeting's registrations. The page posts to the
same API a script would (``/api/documents``)."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ingest.documents.forms import KIND_NAMES
from ingest.documents.models import Document
from services.component import PageLink
from services.http import ContextDep
from services.identity import Role, Unit
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)
DOCUMENTS = PageLink("文件发布", "/admin/documents", page="documents",
                     roles=frozenset({Role.ADMIN}))

STATUS_LABELS = {"received": "已接收", "screening": "筛查中", "flagged": "待人工审核",
                 "approved": "已通过", "published": "已发布", "rejected": "不予发布"}


@functools.cache
def _pages() -> Pages:
    return Pages("ingest")


@router.get("/admin/documents", response_class=HTMLResponse)
def documents_page(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "documents", Role.ADMIN)
    zone = ZoneInfo(ctx.settings.timezone)
    with ctx.db.session() as session:
        rows = session.scalars(sa.select(Document).order_by(Document.id.desc()).limit(100)).all()
        documents = [{"id": d.id, "kind": KIND_NAMES[d.kind], "is_notice": d.kind == "notice",
                      "title": d.title, "number": d.number, "url": d.url,
                      "status": STATUS_LABELS.get(d.status, d.status),
                      "published": d.status == "published", "repealed": d.repealed is not None,
                      "created": d.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")}
                     for d in rows]
        units = session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.slug)).all()
    return _pages().render(request, "documents.html", user=user, csrf=user.csrf,
                           page="documents", documents=documents, units=units,
                           limits=ctx.settings)


@router.get("/admin/documents/documents.js")
def documents_script(request: Request) -> Response:
    return asset(request, "ingest", "templates", "documents.js")
