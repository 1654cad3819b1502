"""The handler's desk (``/letters``): one page over the letter API, for the centre and units."""

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
ASSETS = ("letters.js", "letters.css")
DESK = PageLink("来信办理", "/letters", page="letters",
                roles=frozenset({Role.MODERATOR, Role.HANDLER}))
LANDING = {Role.HANDLER: DESK.path}  # a handler starts at the desk (moderators at the queue)


@functools.cache
def _pages() -> Pages:
    return Pages("moderation.letters")


@router.get("/letters", response_class=HTMLResponse)
def desk_page(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    require_page_role(user, "letters", Role.MODERATOR, Role.HANDLER)
    with ctx.db.session() as session:
        units = sorted(((u.slug, u.name) for u in unit_names(session).values()
                        if u.kind in ("department", "county")), key=lambda u: u[0])
    return _pages().render(request, "letters.html", user=user, csrf=user.csrf, page="letters",
                           units=units, centre=user.principal.role == Role.MODERATOR,
                           claim_minutes=ctx.settings.claim_minutes)


@router.get("/letters/{filename}")
def letters_asset(filename: str, request: Request) -> Response:
    if filename not in ASSETS:
        return Response(status_code=404)
    return asset(request, "moderation.letters", "templates", filename)
