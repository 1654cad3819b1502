"""The public mailbox's pages: ``/mailbox`` (write a letter) and ``/mailbox/lookup`` (the
writer's status page). No account is needed; a signed-in informant writes as their unit."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.contracts.letters import TYPE_LABELS
from services.http import ContextDep
from services.web_pages import Pages, asset
from services.web_session.page_user import PageUser, signed_in

router = APIRouter(include_in_schema=False)
ASSETS = ("mailbox.js", "mailbox.css")


@functools.cache
def _pages() -> Pages:
    return Pages("ingest.letters")


def _visitor(request: Request) -> PageUser | None:
    return signed_in(request)


@router.get("/mailbox", response_class=HTMLResponse)
def write_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    user = _visitor(request)
    return _pages().render(request, "mailbox.html", user=user, csrf=user.csrf if user else "",
                           page="mailbox", types=list(TYPE_LABELS.items()), limits=ctx.settings)


@router.get("/mailbox/lookup", response_class=HTMLResponse)
def lookup_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    user = _visitor(request)
    return _pages().render(request, "lookup.html", user=user, csrf=user.csrf if user else "",
                           page="mailbox")


@router.get("/mailbox/{filename}")
def mailbox_asset(filename: str, request: Request) -> Response:
    if filename not in ASSETS:
        return Response(status_code=404)
    return asset(request, "ingest.letters", "templates", filename)
