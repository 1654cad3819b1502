"""``/desk/meetings``: the meeting notices that invite the informant's unit, with the form to
register attendees before the deadline (it posts to the registrations API)."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ingest.documents.models import Document, DocumentStatus, Registration
from services.clock import utcnow
from services.http import ContextDep
from services.identity import Role
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)


@functools.cache
def _pages() -> Pages:
    return Pages("ingest")


def _office_time(moment: Any, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@router.get("/desk/meetings", response_class=HTMLResponse)
def meetings(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "desk", Role.INFORMANT)
    unit = user.principal.unit
    now = utcnow()
    tz = ctx.settings.timezone
    with ctx.db.session() as session:
        notices = session.scalars(sa.select(Document).where(
            Document.kind == "notice", Document.status == DocumentStatus.PUBLISHED)
            .order_by(Document.starts.desc()).limit(200)).all()
        mine = {r.document_id: r for r in session.scalars(
            sa.select(Registration).where(Registration.unit_slug == unit))}
        rows = [{"id": d.id, "title": d.title, "url": d.url, "place": d.place,
                 "starts": _office_time(d.starts, tz),
                 "register_by": _office_time(d.register_by, tz),
                 "open": d.register_by is not None and now <= d.register_by
                 and d.repealed is None,
                 "names": mine[d.id].names if d.id in mine else []}
                for d in notices if unit in d.units]
    return _pages().render(request, "meetings.html", user=user, csrf=user.csrf, page="desk",
                           meetings=rows, max_names=ctx.settings.max_registration_names)


@router.get("/desk/meetings/meetings.js")
def meetings_script(request: Request) -> Response:
    return asset(request, "ingest", "templates", "meetings.js")
