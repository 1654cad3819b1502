"""``/admin/links``: the admin's page of the linked websites' last checks, dead ones first, each
with since when it has been dead. The links stay on the portal: the admin decides."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from publisher.links.models import LinkCheck, LinkStatus
from services.component import PageLink
from services.http import ContextDep
from services.identity import Role, unit_names
from services.web_pages import Pages
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)
LINKS = PageLink("外链检测", "/admin/links", page="links", roles=frozenset({Role.ADMIN}))


@functools.cache
def _pages() -> Pages:
    return Pages("publisher.links")


def _when(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@router.get("/admin/links", response_class=HTMLResponse)
def links_page(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "links", Role.ADMIN)
    zone = ZoneInfo(ctx.settings.timezone)
    with ctx.db.session() as session:
        units = unit_names(session)
        checks = session.scalars(sa.select(LinkCheck).order_by(LinkCheck.unit_slug)).all()
        rows = [{"unit": units[c.unit_slug].name if c.unit_slug in units else c.unit_slug,
                 "url": c.url, "dead": c.status == LinkStatus.DEAD, "detail": c.detail,
                 "failures": c.failures, "dead_since": _when(c.dead_since, zone),
                 "checked": _when(c.checked_at, zone)} for c in checks]
    rows.sort(key=lambda r: not r["dead"])  # dead first, each group by unit (a stable sort)
    return _pages().render(request, "links.html", user=user, csrf=user.csrf, page="links",
                           rows=rows, dead=sum(1 for r in rows if r["dead"]),
                           every_hours=ctx.settings.link_check_seconds / 3600)
