"""``GET /api/search`` (JSON) and ``GET /search`` (the page): public, limited per client, and
the query is checked before it reaches the index."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from publisher.documents.views import office_date
from publisher.pages import Pages
from publisher.search.index import Hit, search
from publisher.search.limits import RateLimit
from publisher.serving import SECURITY_HEADERS
from services.context import Context
from services.http import ContextDep, answers
from services.refusals import Invalid


def clean_query(q: str, max_chars: int) -> str:
    """The query as searched: control and format characters dropped, spaces collapsed."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in unicodedata.normalize("NFKC", q))
    text = " ".join(text.split())
    if len(text) > max_chars:
        raise Invalid(f"搜索词不能超过 {max_chars} 字 (query too long)")
    return text


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _result(ctx: Context, hit: Hit) -> dict[str, Any]:
    local = hit.published_at.astimezone(ZoneInfo(ctx.settings.timezone))
    return {"title": hit.title, "url": ctx.settings.portal_url + hit.key, "unit": hit.unit,
            "column": hit.column, "date": local.date().isoformat(), "number": hit.number,
            "repealed": hit.repealed}


def build_router(ctx: Context, pages: Pages) -> APIRouter:
    router = APIRouter(tags=["search"])
    limit = RateLimit(ctx.settings.search_per_minute)

    def run(request: Request, ctx: Context, q: str) -> tuple[str, list[Hit]]:
        limit.check(_client(request))
        query = clean_query(q, ctx.settings.max_search_chars)
        if not query:
            return query, []
        with ctx.db.session() as session:
            return query, search(session, query, ctx.settings.search_results)

    @router.get("/api/search", responses=answers(429),
                summary="站内搜索，新的在前 (site search, newest first)")
    def search_api(request: Request, ctx: ContextDep,
                   q: Annotated[str, Query(max_length=400)] = "") -> dict[str, Any]:
        _, hits = run(request, ctx, q)
        return {"results": [_result(ctx, h) for h in hits]}

    @router.get("/search", include_in_schema=False, response_class=HTMLResponse)
    def search_page(request: Request, ctx: ContextDep,
                    q: Annotated[str, Query(max_length=400)] = "") -> HTMLResponse:
        query, hits = run(request, ctx, q)
        tz = ZoneInfo(ctx.settings.timezone)
        results = [{**_result(ctx, h), "path": h.key,
                    "date_text": office_date(h.published_at.astimezone(tz).date())}
                   for h in hits]
        site_path = urlsplit(ctx.settings.portal_url).path or "/"
        page = pages.renderer.page("search.html", "search.html", root=site_path, query=query,
                                   results=results,
                                   canonical=f"{ctx.settings.base_url}/search")
        return HTMLResponse(page, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})

    return router
