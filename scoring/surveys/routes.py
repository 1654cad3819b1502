"""Survey results: the JSON and xlsx for admins, the admin results page with its charts, and the
evaluation results kept for each unit's year."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from scoring.surveys import charts, export
from scoring.surveys.keeping import all_in, results_of
from scoring.surveys.models import EvaluationResult, SurveyCopy
from services import outbox
from services.clock import utcnow
from services.contracts.surveys import ResultsPublished
from services.http import XLSX, ContextDep, CurrentUser, RowId, answers
from services.identity import Role, require_role
from services.refusals import Conflict, Invalid, NotFound
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role


@functools.cache
def _pages() -> Pages:
    return Pages("scoring")


def _results(ctx: Any, survey_id: int) -> dict[str, Any]:
    with ctx.db.session() as session:
        copy = session.get(SurveyCopy, survey_id)
        if copy is None or not copy.version:  # (version 0: only its close has come)
            raise NotFound.of("调查")
        results = results_of(session, copy, ctx.settings)
        results["closed"] = copy.closed_at.isoformat() if copy.closed_at else None
        # closed, and some ballots cast before the close are still on their way to scoring
        results["counting"] = copy.closed_at is not None and not all_in(session, copy)
        return results


def build_router() -> APIRouter:
    router = APIRouter(tags=["surveys"])

    @router.get("/api/surveys/{survey_id}/results", response_model=None,
                responses=answers(media=(XLSX,)),
                summary="调查结果 (counts, percentages, means; per-unit scores of an evaluation)")
    def get_results(survey_id: RowId, ctx: ContextDep, user: CurrentUser,
                    format: Literal["json", "xlsx"] = "json") -> dict[str, Any] | Response:
        require_role(user, Role.ADMIN)
        results = _results(ctx, survey_id)
        if format == "xlsx":
            return Response(export.write_xlsx(results), media_type=XLSX,
                            headers={"Content-Disposition":
                                     f'attachment; filename="survey-{survey_id}-results.xlsx"'})
        return results

    @router.post("/api/surveys/{survey_id}/publish", status_code=202, responses=answers(409),
                 summary="发布结果反馈 (publish the results to the portal)")
    def publish(survey_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        results = _results(ctx, survey_id)
        if results["counting"]:
            raise Conflict("该调查结束前的答卷仍在统计中，请稍后再发布 "
                           "(ballots cast before the close are still being counted: publish "
                           "in a moment)")
        payload = public_results(results, utcnow())
        with ctx.db.transaction() as session:
            outbox.emit(session, payload.event(f"survey/{survey_id}"))
        return {"status": "publishing",
                "url": f"{ctx.settings.portal_url}surveys/{survey_id}.html"}

    @router.get("/api/evaluations", summary="评议结果 (each closed evaluation's unit scores)")
    def get_evaluations(ctx: ContextDep, user: CurrentUser,
                        year: Annotated[int | None, Query(ge=2000, le=2100)] = None
                        ) -> dict[str, Any]:
        chosen = year or utcnow().year
        with ctx.db.session() as session:
            return {"year": chosen, "results": evaluation_rows(session, chosen)}

    @router.get("/surveys/{survey_id}/results", response_class=HTMLResponse,
                include_in_schema=False)
    def results_page(survey_id: RowId, request: Request, ctx: ContextDep,
                     user: PageUserDep) -> HTMLResponse:
        require_page_role(user, "surveys", Role.ADMIN)
        results = _results(ctx, survey_id)
        return _pages().render(request, "surveys/results.html", user=user, csrf=user.csrf,
                               page="surveys", r=results, bars=charts.bars)

    @router.get("/survey-results-assets/{filename}", include_in_schema=False)
    def results_asset(filename: str, request: Request) -> Response:
        if filename != "results.css":
            raise Invalid("没有这个文件 (no such file)")
        return asset(request, "scoring", "templates", filename)

    return router


def public_results(results: dict[str, Any], now: Any) -> ResultsPublished:
    """The results as the public may see them: texts only where screening found them clean."""

    def public(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for q in questions:
            q = dict(q)
            if "texts" in q:
                q["texts"] = [t["text"] for t in q["texts"] if t["state"] == "clean"]
            out.append(q)
        return out

    return ResultsPublished(
        survey=results["survey"], title=results["title"], kind=results["kind"],
        ballots=results["ballots"], closed=results.get("closed"), published=now,
        questions=public(results["questions"]),
        units=[{**u, "questions": public(u["questions"])} for u in results.get("units", [])])


def evaluation_rows(session: Any, year: int) -> list[dict[str, Any]]:
    rows = session.scalars(sa.select(EvaluationResult).where(EvaluationResult.year == year)
                           .order_by(EvaluationResult.survey_id, EvaluationResult.unit_slug))
    return [{"survey": r.survey_id, "title": r.title, "unit": r.unit_slug, "score": r.score,
             "ballots": r.ballots, "rated": r.rated} for r in rows]
