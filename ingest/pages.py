"""The informant's desk (``/desk``): a page composed in the browser from the JSON APIs.

What belongs to ingest (the form, the unit's submissions) and what belongs to other components
(quotas, points, 约稿 topics) are all read over HTTP by the page's script, so no component has
to import another.
"""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ingest.models import Status
from services.component import PageLink
from services.http import ContextDep
from services.identity import Role, Unit
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    Status.RECEIVED: "已接收", Status.SCREENING: "筛查中", Status.FLAGGED: "待人工审核",
    Status.APPROVED: "已通过", Status.PUBLISHED: "已发布", Status.REJECTED: "不予采用",
    Status.RETURNED: "退回修改", Status.RETRACTED: "已撤稿",
}
ASSETS = ("desk.js", "desk.css")
DESK = PageLink("工作台", "/desk", page="desk", roles=frozenset({Role.INFORMANT}))
LANDING = {Role.INFORMANT: DESK.path}  # where an informant starts after signing in


@functools.cache
def _pages() -> Pages:
    return Pages("ingest")


@router.get("/desk", response_class=HTMLResponse)
def desk(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "desk", Role.INFORMANT)
    with ctx.db.session() as session:
        unit = session.get(Unit, user.principal.unit) if user.principal.unit else None
    unit_kind = unit.kind if unit else "department"
    return _pages().render(
        request, "desk.html", user=user, csrf=user.csrf, page="desk", limits=ctx.settings,
        unit_kind=unit_kind, columns=ctx.columns.open_to(unit_kind),
        statuses=[(s.value, label) for s, label in STATUS_LABELS.items()],
        default_column_name=ctx.columns.name_of(ctx.columns.default_column("article", unit_kind)))


@router.get("/desk/{filename}")
def desk_asset(filename: str, request: Request) -> Response:
    if filename not in ASSETS:
        return Response(status_code=404)
    return asset(request, "ingest", "templates", filename)
