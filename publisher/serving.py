"""``/site/``: the published portal, straight from the site store.

The fast path: one ``stat`` answers a revalidation (``If-None-Match`` → 304) without reading
the object; a page or photo is read in one call and sent as one body; only large objects are
streamed. Pages are cached briefly (a retraction must show soon), objects whose key changes with
their content for a year.
"""

from __future__ import annotations

import logging
import posixpath
from email.utils import format_datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse

from publisher import addresses, reads
from publisher.documents.addresses import is_file
from publisher.documents.downloads import download_headers
from services.component import PageLink
from services.context import Context
from services.http import ContextDep
from services.storage import ObjectInfo, ObjectStore

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
PORTAL = PageLink("门户网站", "/site/index.html")  # in the signed-in pages' navigation bar

ONE_BODY_MAX = 1024 * 1024  # read objects up to this size whole; stream larger ones
PAGE_CACHE = "public, max-age=60"
PHOTO_CACHE = "public, max-age=86400"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
FALLBACK_404 = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>页面不存在</title>"
                "<h1>页面不存在</h1><p><a href=index.html>返回首页</a></p></html>").encode()
# the pages need nothing from elsewhere and no script: say so to the browser
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self'; "
                               "frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def site_key(path: str) -> str | None:
    """The store key for a request path below ``/site/``; None for one that cannot be a key
    (dot segments, hidden names such as a store's temporary files)."""
    if path == "" or path.endswith("/"):
        path += "index.html"
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    return posixpath.join(*parts)


def cache_control(key: str) -> str:
    if addresses.is_immutable(key):
        return IMMUTABLE_CACHE
    if key.startswith("photos/"):
        return PHOTO_CACHE
    return PAGE_CACHE


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: ``W/"x"`` matches ``"x"``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _headers(key: str, info: ObjectInfo) -> dict[str, str]:
    return {"ETag": f'"{info.etag}"', "Cache-Control": cache_control(key),
            "Last-Modified": format_datetime(info.modified, usegmt=True), **SECURITY_HEADERS}


def _not_found(store: ObjectStore, head: bool) -> Response:
    try:
        page = store.get_bytes(addresses.NOT_FOUND)
    except FileNotFoundError:
        page = FALLBACK_404
    return Response(b"" if head else page, status_code=404,
                    media_type=addresses.CONTENT_TYPES[".html"],
                    headers={"Cache-Control": PAGE_CACHE, **SECURITY_HEADERS})


@router.api_route("/site", methods=["GET", "HEAD"])
def site_root() -> RedirectResponse:
    return RedirectResponse("/site/", status_code=308)  # relative links need the slash


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
def robots_at_root(request: Request, ctx: ContextDep) -> Response:
    """Crawlers look for it at the server's root, not only under ``/site/``."""
    return serve_site(request, ctx, addresses.ROBOTS)


@router.api_route("/site/{path:path}", methods=["GET", "HEAD"])
def serve_site(request: Request, ctx: ContextDep, path: str = "") -> Response:
    store = ctx.site
    head = request.method == "HEAD"
    key = site_key(path)
    if key is None:
        return _not_found(store, head)
    try:
        info = store.stat(key)
    except FileNotFoundError:
        if not key.endswith(".html") and _is_folder(store, key):
            return RedirectResponse(f"{request.url.path}/", status_code=308)
        return _not_found(store, head)
    if not head and (item := reads.item_of(key)) is not None:
        _count(ctx, item, request)
    headers = _headers(key, info)
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    media_type = addresses.content_type(key) or info.content_type
    if is_file(key):  # a document's attachment: a download under its Chinese name
        media_type, download = download_headers(key)
        headers.update(download)
    if head:
        headers["Content-Length"] = str(info.size)
        return Response(status_code=200, headers=headers, media_type=media_type)
    try:
        if info.size <= ONE_BODY_MAX:
            return Response(store.get_bytes(key), headers=headers, media_type=media_type)
        chunks = store.iter_chunks(key)
    except FileNotFoundError:  # removed between the stat and the read
        return _not_found(store, head)
    headers["Content-Length"] = str(info.size)
    return StreamingResponse(chunks, headers=headers, media_type=media_type)


def _client(request: Request, ctx: Context) -> str:
    header = ctx.settings.client_address_header
    if header and (value := request.headers.get(header)):
        return value.split(",")[0].strip()[:100]
    return request.client.host if request.client else ""


def _count(ctx: Context, item: int, request: Request) -> None:
    """A read of an item's page (a revalidation too: the reader is looking at it again)."""
    try:
        reads.count_read(ctx, item, _client(request, ctx))
    except Exception:  # the page is served even when the count cannot be kept
        log.exception("could not count a read of item %s", item)


def _is_folder(store: ObjectStore, key: str) -> bool:
    try:
        store.stat(f"{key}/index.html")
    except FileNotFoundError:
        return False
    return True
