"""The moderator's queue (``/queue``): one page over the moderation API."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.component import PageLink
from services.http import ContextDep
from services.identity import Role, unit_names
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)
ASSETS = ("queue.js", "queue.css")
KIND_ORDER = {"county": 0, "enterprise": 1, "department": 2}
QUEUE = PageLink("审核队列", "/queue", page="queue", roles=frozenset({Role.MODERATOR, Role.ADMIN}))
# where moderators and admins start after signing in
LANDING = {Role.MODERATOR: QUEUE.path, Role.ADMIN: QUEUE.path}


@functools.cache
def _pages() -> Pages:
    return Pages("moderation")


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "queue", Role.MODERATOR, Role.ADMIN)
    with ctx.db.session() as session:
        units = sorted(unit_names(session).values(),
                       key=lambda u: (KIND_ORDER.get(u.kind, 9), u.slug))
        unit_choices = [(u.slug, u.name) for u in units]
    return _pages().render(request, "queue.html", user=user, csrf=user.csrf, page="queue",
                           units=unit_choices, claim_minutes=ctx.settings.claim_minutes)


@router.get("/queue/{filename}")
def queue_asset(filename: str, request: Request) -> Response:
    if filename not in ASSETS:
        return Response(status_code=404)
    return asset(request, "moderation", "templates", filename)
