"""Scores, ledger, quotas, the live stream and the dashboard page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sse_starlette.sse import EventSourceResponse

from scoring import queries
from scoring.rules import Rules
from scoring.stream import ScoreBroadcaster
from services.http import ApiError, ContextDep, CurrentUser, current_principal_or_query
from services.identity import Principal

_templates = Environment(loader=PackageLoader("scoring", "templates"),
                         autoescape=select_autoescape(["html"]))


def _period(period: str | None, ctx: Any) -> str:
    period = period or queries.current_month(ctx.settings.timezone)
    if not queries.valid_period(period):
        raise ApiError(422, "period 须为 YYYY-MM、YYYY 或 all "
                            "(period must be YYYY-MM, YYYY or all)")
    return period


def build_router(rules: Rules, broadcaster: ScoreBroadcaster) -> APIRouter:
    router = APIRouter(tags=["scoring"])

    @router.get("/api/scores", summary="积分排名 (rankings for a month or a year)")
    def get_scores(ctx: ContextDep, user: CurrentUser,
                   period: Annotated[str | None, Query(max_length=7)] = None,
                   kind: Annotated[str | None, Query(pattern="^(county|enterprise|department)$")]
                   = None) -> dict[str, Any]:
        with ctx.db.session() as session:
            return queries.scores(session, _period(period, ctx), kind)

    @router.get("/api/scores/ledger", summary="积分明细 (the ledger lines behind a total)")
    def get_ledger(ctx: ContextDep, user: CurrentUser,
                   unit: Annotated[str | None, Query(max_length=64)] = None,
                   period: Annotated[str | None, Query(max_length=7)] = None,
                   after: Annotated[int, Query(ge=0)] = 0,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict[str, Any]:
        if not user.is_staff():
            if unit is not None and unit != user.unit:
                raise ApiError(403, "只能查看本单位的积分明细 (only your own unit's ledger)")
            unit = user.unit
        chosen = _period(period, ctx) if period else "all"
        with ctx.db.session() as session:
            lines = queries.ledger_lines(session, unit, chosen, limit, after)
        return {"unit": unit, "period": chosen, "points": sum(line["points"] for line in lines),
                "lines": lines}

    @router.get("/api/quotas", summary="本月报送任务完成情况 (monthly quotas per unit)")
    def get_quotas(ctx: ContextDep, user: CurrentUser,
                   month: Annotated[str | None, Query(max_length=7)] = None) -> dict[str, Any]:
        month = month or queries.current_month(ctx.settings.timezone)
        if len(month) != 7 or not queries.valid_period(month):
            raise ApiError(422, "month 须为 YYYY-MM (month must be YYYY-MM)")
        with ctx.db.session() as session:
            return queries.quotas(session, month, rules, ctx.settings.timezone)

    @router.get("/api/scores/stream", summary="积分实时推送 (Server-Sent Events)")
    async def stream(
        request: Request,
        user: Annotated[Principal, Depends(current_principal_or_query)],
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> EventSourceResponse:
        resume = last_event_id or request.query_params.get("last_event_id")
        start = int(resume) if resume and resume.isdigit() else None
        ctx = request.app.state.context
        return EventSourceResponse(
            broadcaster.events(start), ping=ctx.settings.sse_ping_seconds, send_timeout=10,
            headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})

    @router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(ctx: ContextDep) -> HTMLResponse:
        page = _templates.get_template("dashboard.html").render(
            site_title=ctx.settings.site_title)
        return HTMLResponse(page)

    return router
