"""The public answering page (``/surveys/{id}``): a plain HTML form that works without script.

The form posts back to the same address; a bad answer shows the page again with the message
next to its field and every answer kept; a good one goes to the thank-you page (post, redirect,
get), so that reloading it sends nothing twice. The page's script only hides the questions not
asked, keeps unsent answers in the browser and stops a double click; a hidden key makes a
resent form find its first ballot.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ingest.surveys import casting, design
from ingest.surveys.models import Ballot, Survey
from ingest.surveys.routes import BROWSER_COOKIE, client_address, remember_browser
from ingest.surveys.validate import BallotInvalid
from services.clock import utcnow
from services.component import PageLink
from services.contracts.surveys import SCALE5, Question
from services.http import ContextDep, RowId, get_context, status_of
from services.identity import Role, Unit
from services.refusals import Conflict, Forbidden, Invalid, Refusal, TooLarge
from services.web_pages import Pages, asset
from services.web_session import PageUserDep, require_page_role

router = APIRouter(include_in_schema=False)

SURVEYS = PageLink("调查评议", "/surveys", page="surveys", roles=frozenset({Role.ADMIN}))

ASSETS = ("survey.js", "survey.css", "survey-design.js")
TYPE_HINTS = {"single": "单选", "multiple": "多选", "scale5": "满意度", "number": "数字",
              "text": "填空"}


@functools.cache
def _pages() -> Pages:
    return Pages("ingest")


def field_name(unit: str, question: str) -> str:
    return f"u.{unit}.{question}" if unit else f"q.{question}"


def answers_from_form(survey: Survey, form: FormData) -> Any:
    """The form's fields as the API's ``answers`` (by unit for an evaluation)."""
    questions = [Question.model_validate(q) for q in survey.questions]
    units = [u["slug"] for u in survey.units] if survey.kind == "evaluation" else [""]
    out: dict[str, dict[str, Any]] = {}
    for unit in units:
        given: dict[str, Any] = {}
        for q in questions:
            name = field_name(unit, q.id)
            if q.type == "multiple":
                values = [v for v in form.getlist(name) if isinstance(v, str)]
                if values:
                    given[q.id] = values
            elif isinstance(value := form.get(name), str) and value != "":
                given[q.id] = value
        out[unit] = given
    return out[""] if survey.kind != "evaluation" else out


def _error_fields(errors: dict[str, str]) -> dict[str, str]:
    """``unit/question`` (or ``question``) from the validator as the form's field names."""
    out = {}
    for where, message in errors.items():
        unit, _, question = where.rpartition("/")
        out[field_name(unit, question)] = message
    return out


def _local_text(when: dt.datetime | None, request: Request) -> str:
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(get_context(request).settings.timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _render(request: Request, survey: Survey, *, status: int = 200,
            values: FormData | None = None, errors: dict[str, str] | None = None,
            problem: str = "", code_error: str = "") -> HTMLResponse:
    questions = [Question.model_validate(q) for q in survey.questions]
    numbers = {q.id: n for n, q in enumerate(questions, 1)}
    units = survey.units if survey.kind == "evaluation" else [{"slug": "", "name": ""}]
    now = utcnow()

    def value_of(name: str) -> str:
        found = values.get(name) if values is not None else None
        return found if isinstance(found, str) else ""

    def chosen(name: str) -> list[str]:
        return [v for v in values.getlist(name) if isinstance(v, str)] if values else []

    return _pages().render(
        request, "surveys/answer.html", status=status, survey=survey, questions=questions,
        numbers=numbers, units=units, field_name=field_name, scale=SCALE5,
        type_hints=TYPE_HINTS, errors=errors or {}, problem=problem, code_error=code_error,
        value_of=value_of, chosen=chosen, state=design.state_of(survey, now),
        key=value_of("key") or uuid.uuid4().hex, code=value_of("code"),
        closes_text=_local_text(survey.closes, request))


@router.get("/surveys", response_class=HTMLResponse)
def survey_list(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    """The admins' list: every survey, its state and ballots, and where to answer and read it."""
    require_page_role(user, "surveys", Role.ADMIN)
    now = utcnow()
    with ctx.db.session() as session:
        surveys = session.scalars(sa.select(Survey).order_by(Survey.id.desc())).all()
        ballots = dict(session.execute(sa.select(Ballot.survey_id, sa.func.count())
                                       .group_by(Ballot.survey_id)).all())
    rows = [{"survey": s, "state": design.state_of(s, now), "ballots": ballots.get(s.id, 0),
             "closes": _local_text(s.closes, request)} for s in surveys]
    return _pages().render(request, "surveys/list.html", user=user, csrf=user.csrf,
                           page="surveys", rows=rows)


@router.get("/surveys/new", response_class=HTMLResponse)
def design_page(request: Request, ctx: ContextDep, user: PageUserDep) -> HTMLResponse:
    """The admins' designer: the form its script sends to ``POST /api/surveys``, then codes."""
    require_page_role(user, "surveys", Role.ADMIN)
    with ctx.db.session() as session:
        units = session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.slug)).all()
        unit_kinds = sorted({u.kind for u in units})
        shown = [{"slug": u.slug, "name": u.name} for u in units]
    return _pages().render(request, "surveys/design.html", user=user, csrf=user.csrf,
                           page="surveys", units=shown, unit_kinds=unit_kinds)


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
def answer_page(survey_id: RowId, request: Request, ctx: ContextDep) -> HTMLResponse:
    with ctx.db.session() as session:
        survey = design.load(session, survey_id)
    return _render(request, survey, values=None)


@router.post("/surveys/{survey_id}", response_class=HTMLResponse, response_model=None)
async def answer_form(survey_id: RowId, request: Request,
                      ctx: ContextDep) -> HTMLResponse | RedirectResponse:
    limit = ctx.settings.survey_max_ballot_bytes
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > limit:
        raise TooLarge(f"提交内容过大 (the form is over {limit} bytes)")
    with ctx.db.session() as session:
        survey = design.load(session, survey_id)
    form = await request.form(max_fields=2000)
    code, key, trap = form.get("code"), form.get("key"), form.get("website")
    given = casting.BallotIn(
        survey_id=survey_id, answers=answers_from_form(survey, form),
        code=code if isinstance(code, str) else None,
        key=key if isinstance(key, str) and key else None,
        address=client_address(request, ctx),
        browser_seen=BROWSER_COOKIE.format(survey_id) in request.cookies,
        honeypot=trap if isinstance(trap, str) else "")
    try:
        await run_in_threadpool(casting.cast, ctx.db, ctx.settings, given, utcnow())
    except BallotInvalid as exc:
        return _render(request, survey, status=422, values=form,
                       errors=_error_fields(exc.errors),
                       problem="有几处需要修改，请看标红的题目 (some answers need attention)")
    except (Forbidden, Conflict, Invalid) as exc:
        about_code = survey.access == "codes" and "投票码" in exc.message
        return _render(request, survey, status=status_of(exc), values=form,
                       problem=exc.message, code_error=exc.message if about_code else "")
    except Refusal as exc:
        return _render(request, survey, status=status_of(exc), values=form, problem=exc.message)
    response = RedirectResponse(f"/surveys/{survey_id}/thanks", status_code=303)
    remember_browser(response, survey_id)
    return response


@router.get("/surveys/{survey_id}/thanks", response_class=HTMLResponse)
def thanks_page(survey_id: RowId, request: Request, ctx: ContextDep) -> HTMLResponse:
    with ctx.db.session() as session:
        survey = design.load(session, survey_id)
    return _pages().render(request, "surveys/thanks.html", survey=survey)


@router.get("/survey-assets/{filename}")
def survey_asset(filename: str, request: Request) -> Response:
    if filename not in ASSETS:
        return Response(status_code=404)
    return asset(request, "ingest", "templates", filename)
