"""Scores, ledger, quotas, reports, the live stream and the dashboard page."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sse_starlette.sse import EventSourceResponse

from scoring import dashboard, queries, quotas, reports
from scoring.review import outputs, render
from scoring.rules import Rules
from scoring.stream import ScoreBroadcaster
from services import web_pages
from services.component import PageLink
from services.context import Context
from services.http import (
    DOCX,
    XLSX,
    YEAR,
    ContextDep,
    CurrentUser,
    MonthQuery,
    PeriodQuery,
    answers,
)
from services.identity import Role, require_role
from services.refusals import Forbidden, Invalid, Unsupported
from services.web_session import PageUserDep

_templates = Environment(loader=PackageLoader("scoring", "templates"),
                         autoescape=select_autoescape(["html"]))

DASHBOARD = PageLink("积分看板", "/dashboard")  # in the signed-in pages' navigation bar
ReviewPeriod = Annotated[str, Query(pattern=f"^{YEAR}(-H[12])?$",
                                    description="YYYY、YYYY-H1 或 YYYY-H2")]
KindQuery = Annotated[str | None, Query(pattern="^(county|enterprise|department)$")]
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _period(period: str | None, ctx: Context) -> str:
    period = period or queries.current_month(ctx.settings.timezone)
    if not queries.valid_period(period):
        raise Invalid("period 须为 YYYY-MM、YYYY 或 all "
                      "(period must be YYYY-MM, YYYY or all)")
    return period


def _month(month: str | None, ctx: Context) -> str:
    month = month or queries.current_month(ctx.settings.timezone)
    if not queries.valid_month(month):
        raise Invalid("month 须为 YYYY-MM (month must be YYYY-MM)")
    return month


def _download_name(stem: str, ext: str) -> str:
    return f"attachment; filename=\"baosong-{stem}.{ext}\""


def build_router(rules: Rules, broadcaster: ScoreBroadcaster) -> APIRouter:
    router = APIRouter(tags=["scoring"])
    cache = dashboard.SnapshotCache()

    @router.get("/api/scores", summary="积分排名 (rankings for a month, a year or all time)")
    def get_scores(ctx: ContextDep, user: CurrentUser, period: PeriodQuery = None,
                   kind: KindQuery = None) -> dict[str, Any]:
        with ctx.db.session() as session:
            return queries.scores(session, _period(period, ctx), kind)

    @router.get("/api/scores/ledger", summary="积分明细 (the ledger lines behind a total)")
    def get_ledger(ctx: ContextDep, user: CurrentUser,
                   unit: Annotated[str | None, Query(max_length=64)] = None,
                   period: PeriodQuery = None,
                   after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict[str, Any]:
        if not user.is_staff():
            if unit is not None and unit != user.unit:
                raise Forbidden("只能查看本单位的积分明细 (only your own unit's ledger)")
            unit = user.unit
        chosen = _period(period, ctx) if period else "all"
        with ctx.db.session() as session:
            lines = queries.ledger_lines(session, unit, chosen, limit, after)
        return {"unit": unit, "period": chosen, "points": sum(line["points"] for line in lines),
                "lines": lines}

    @router.get("/api/scores/export", summary="导出排名表 (the ranking tables as xlsx or csv)",
                response_class=Response, responses=answers(media=(XLSX, "text/csv")))
    def export(ctx: ContextDep, user: CurrentUser, period: PeriodQuery = None,
               format: Literal["xlsx", "csv"] = "xlsx") -> Response:
        chosen = _period(period, ctx)
        with ctx.db.session() as session:
            tables = reports.ranking_tables(session, chosen)
        body = reports.write_xlsx(tables, chosen, ctx.settings.report_office) \
            if format == "xlsx" else reports.write_csv(tables)
        return Response(body, media_type=CONTENT_TYPES[format],
                        headers={"Content-Disposition": _download_name(chosen, format)})

    @router.get("/api/quotas", summary="报送任务完成情况 (monthly quotas per unit)")
    def get_quotas(ctx: ContextDep, user: CurrentUser,
                   month: MonthQuery = None) -> dict[str, Any]:
        chosen = _month(month, ctx)
        with ctx.db.session() as session:
            return quotas.report(session, chosen, rules, ctx.settings.timezone)

    @router.get("/api/reports/bulletin", summary="月度信息报送通报 (the monthly bulletin)",
                response_model=None, responses=answers(media=("text/html", DOCX)))
    def get_bulletin(request: Request, ctx: ContextDep,
                     user: CurrentUser,
                     month: MonthQuery = None,
                     format: Literal["html", "json", "docx"] = "html") \
            -> Response | dict[str, Any]:
        chosen = _month(month, ctx)
        with ctx.db.session() as session:
            data = reports.bulletin(session, chosen, rules, ctx.settings.timezone,
                                    ctx.settings.site_title, office=ctx.settings.report_office,
                                    cc=ctx.settings.report_cc)
        if format == "json":
            return data
        if format == "docx":
            body = render.bulletin_document(data, outputs.office_of(ctx.settings))
            return Response(body, media_type=outputs.MEDIA["docx"],
                            headers={"Content-Disposition": _download_name(chosen, "docx")})
        return HTMLResponse(reports.render_bulletin(data), headers=web_pages.document_headers())

    @router.get("/api/reports/period", summary="年终（半年）信息报送工作情况 (the period report)",
                response_model=None,  # 415: a pdf without the converter installed
                responses=answers(415, media=("text/html", DOCX, XLSX, "application/pdf")))
    def get_period_report(ctx: ContextDep, user: CurrentUser,
                          period: ReviewPeriod,
                          format: Literal["json", "html", "docx", "xlsx", "pdf"] = "json") \
            -> Response | dict[str, Any]:
        require_role(user, Role.MODERATOR, Role.ADMIN)
        with ctx.db.session() as session:
            if format == "json":
                return outputs.report_data(session, period, rules)
            try:
                body = outputs.report(session, period, rules, ctx.settings, format)
            except outputs.NoConverter as exc:
                raise Unsupported(str(exc)) from exc
        if format == "html":
            return HTMLResponse(body.decode())
        return Response(body, media_type=outputs.MEDIA[format],
                        headers={"Content-Disposition": _download_name(f"report-{period}",
                                                                       format)})

    @router.get("/api/reports/commendations", summary="表彰名单 (the commendation list)",
                response_model=None, responses=answers(media=(DOCX, XLSX)))
    def get_commendations(ctx: ContextDep, user: CurrentUser, period: ReviewPeriod,
                          format: Literal["json", "docx", "xlsx"] = "json") \
            -> Response | dict[str, Any]:
        require_role(user, Role.MODERATOR, Role.ADMIN)
        with ctx.db.session() as session:
            if format == "json":
                return outputs.commendation_data(session, period, rules)
            body = outputs.commendation_list(session, period, rules, ctx.settings, format)
        return Response(body, media_type=outputs.MEDIA[format],
                        headers={"Content-Disposition": _download_name(
                            f"commendations-{period}", format)})

    @router.get("/api/dashboard", summary="看板数据 (everything the dashboard shows)")
    def get_dashboard(ctx: ContextDep, user: CurrentUser,
                      month: MonthQuery = None) -> dict[str, Any]:
        chosen = _month(month, ctx)
        with ctx.db.session() as session:
            kept = cache.get(chosen, queries.max_seq(session))
            if kept is not None:
                return kept
            data = dashboard.snapshot(session, chosen, rules, ctx.settings.timezone)
        cache.put(chosen, data)
        return data

    @router.get("/api/scores/stream", summary="积分实时推送 (Server-Sent Events)",
                response_class=Response, responses=answers(media=("text/event-stream",)))
    async def stream(
        request: Request,
        user: CurrentUser,
        last_event_id: Annotated[str | None, Header(max_length=20)] = None,
    ) -> EventSourceResponse:
        resume = last_event_id or request.query_params.get("last_event_id")
        start = int(resume) if resume and resume.isdigit() and len(resume) < 19 else None
        ctx = request.app.state.context
        return EventSourceResponse(
            broadcaster.events(start), ping=ctx.settings.sse_ping_seconds, send_timeout=10,
            headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})

    @router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page(ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
        # signed in through /login: the page's calls and its live stream send the session
        # cookie (EventSource sends it same-origin), so no token is ever in an address
        nonce = secrets.token_urlsafe(16)
        page = _templates.get_template("dashboard.html").render(
            site_title=ctx.settings.site_title, nonce=nonce)
        return HTMLResponse(page, headers=web_pages.inline_page_headers(nonce))

    return router
