"""What the browser pages share: the layout, the stylesheet and script, and safe headers.

A component renders its pages with :class:`Pages` over its own ``templates/`` folder; every page
extends ``base.html`` from ``services/web/``. Pages load scripts only from this site (no inline
script, no CDN), which the Content-Security-Policy header holds them to.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from services.http import get_context
from services.refusals import NotFound

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show what one person may see
}
# Pages whose script and style are written into the page itself (the dashboard, for a wall
# screen with nothing else to fetch): the script runs only with the nonce of this one answer.
INLINE_PAGE_POLICY = (
    "default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# A printable document (the 通报): no script at all, its own inline styles, nothing fetched.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'none'"
)


def inline_page_headers(nonce: str) -> dict[str, str]:
    return {**PAGE_HEADERS, "Content-Security-Policy": INLINE_PAGE_POLICY.format(nonce=nonce)}


def document_headers() -> dict[str, str]:
    return {**PAGE_HEADERS, "Content-Security-Policy": DOCUMENT_POLICY}


MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
SHARED_ASSETS = ("baosong.css", "baosong.js")


class Pages:
    """Templates of one component (``<package>/templates/``) over the shared layout."""

    def __init__(self, package: str | None = None) -> None:
        loaders = [PackageLoader(package, "templates")] if package else []
        loaders.append(PackageLoader("services", "web"))
        self.env = Environment(loader=ChoiceLoader(loaders),
                               autoescape=select_autoescape(["html"]))

    def render(self, request: Request, name: str, *, status: int = 200,
               **context: Any) -> HTMLResponse:
        settings = get_context(request).settings
        # the components' pages, as they declared them (the kernel names none of them)
        nav = getattr(request.app.state, "nav_links", ())
        html = self.env.get_template(name).render(site_title=settings.site_title,
                                                 timezone=settings.timezone, nav=nav, **context)
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


@functools.cache
def _kernel_pages() -> Pages:
    return Pages()


def render(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the shared kernel (login, forbidden)."""
    return _kernel_pages().render(request, name, status=status, **context)


@functools.cache
def _read(package: str, folder: str, filename: str) -> tuple[bytes, str]:
    data = importlib.resources.files(package).joinpath(folder, filename).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:20]


def asset(request: Request, package: str, folder: str, filename: str) -> Response:
    """A script or stylesheet shipped in a package, with an ETag so browsers revalidate."""
    suffix = filename[filename.rfind("."):]
    if suffix not in MEDIA_TYPES:
        raise NotFound.of("文件")
    try:
        data, digest = _read(package, folder, filename)
    except FileNotFoundError as exc:
        raise NotFound.of("文件") from exc
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=MEDIA_TYPES[suffix], headers=headers)


def assets_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/assets/{filename}")
    def shared_asset(filename: str, request: Request) -> Response:
        if filename not in SHARED_ASSETS:
            raise NotFound.of("文件")
        return asset(request, "services", "web", filename)

    return router
