"""The survey endpoints ingest answers: designing (admins), codes, ballots (public), closing."""

from __future__ import annotations

import io
import json
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ingest.surveys import casting, design
from ingest.surveys.models import BallotCode, Survey
from services.clock import utcnow
from services.context import Context
from services.http import XLSX, ContextDep, CurrentUser, RowId, answers
from services.identity import Role, Unit, require_role
from services.refusals import Invalid, Malformed, TooLarge

router = APIRouter(tags=["surveys"])

BROWSER_COOKIE = "baosong_ballot_{}"  # set once a browser has answered: a soft signal only


def client_address(request: Request, ctx: Context) -> str:
    header = ctx.settings.client_address_header
    if header and (value := request.headers.get(header)):
        return value.split(",")[0].strip()[:100]
    return request.client.host if request.client else ""


def to_public(survey: Survey, now: Any) -> dict[str, Any]:
    return {"id": survey.id, "title": survey.title, "description": survey.description,
            "kind": survey.kind, "access": survey.access, "anonymous": survey.anonymous,
            "opens": survey.opens.isoformat(),
            "closes": survey.closes.isoformat() if survey.closes else None,
            "state": design.state_of(survey, now), "version": survey.version,
            "units": survey.units, "questions": survey.questions,
            "url": f"/surveys/{survey.id}"}


async def read_json(request: Request, limit: int) -> Any:
    """The request's JSON body, refused plainly when too long or not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"提交内容过大 (the body is over {limit} bytes)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"提交内容过大 (the body is over {limit} bytes)")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed("提交内容不是有效的 JSON (the body is not JSON)") from exc


@router.post("/api/surveys", status_code=201, responses=answers(413),
             summary="新建网上调查或评议 (design a survey)")
def post_survey(body: design.SurveyIn, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.ADMIN)
    with ctx.db.transaction() as session:
        survey = design.create_survey(session, body, by=user.id, settings=ctx.settings,
                                      now=utcnow())
        return {"id": survey.id, "url": f"/surveys/{survey.id}"}


@router.get("/api/surveys", summary="调查列表 (the surveys, newest first)")
def list_surveys(ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.ADMIN)
    now = utcnow()
    with ctx.db.session() as session:
        rows = session.scalars(sa.select(Survey).order_by(Survey.id.desc())).all()
        return {"surveys": [to_public(s, now) for s in rows]}


@router.get("/api/surveys/{survey_id}", summary="调查的题目 (a survey's definition, public)")
def get_survey(survey_id: RowId, ctx: ContextDep) -> dict[str, Any]:
    with ctx.db.session() as session:
        return to_public(design.load(session, survey_id), utcnow())


@router.put("/api/surveys/{survey_id}", responses=answers(413),
            summary="修改调查 (until the first ballot)")
def put_survey(survey_id: RowId, body: design.SurveyIn, ctx: ContextDep,
               user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.ADMIN)
    with ctx.db.transaction() as session:
        survey = design.revise_survey(session, survey_id, body, settings=ctx.settings,
                                      now=utcnow())
        return {"id": survey.id, "version": survey.version}


@router.post("/api/surveys/{survey_id}/codes", summary="发放投票码 (single-use ballot codes)",
             response_model=None, responses=answers(413, media=(XLSX,)))
def post_codes(survey_id: RowId, body: design.CodesIn, ctx: ContextDep, user: CurrentUser,
               format: Literal["json", "xlsx"] = "json") -> dict[str, Any] | Response:
    require_role(user, Role.ADMIN)
    with ctx.db.transaction() as session:
        issued = design.issue_codes(session, survey_id, body, settings=ctx.settings)
        survey = design.load(session, survey_id)
    if format == "xlsx":
        return Response(codes_xlsx(survey, issued, ctx.settings.base_url), media_type=XLSX,
                        headers={"Content-Disposition":
                                 f'attachment; filename="survey-{survey_id}-codes.xlsx"'})
    return {"codes": [c.code for c in issued],
            "respondents": [{"code": c.code, "unit": c.respondent, "name": c.respondent_name}
                            for c in issued]}


@router.get("/api/surveys/{survey_id}/codes", summary="投票码发放与使用情况 (codes issued, used)")
def get_codes(survey_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    """How many codes were issued and used, and to whom (the recorded draw); never the codes."""
    require_role(user, Role.ADMIN)
    with ctx.db.session() as session:
        design.load(session, survey_id)
        rows = session.execute(sa.select(BallotCode.respondent, BallotCode.used)
                               .where(BallotCode.survey_id == survey_id)
                               .order_by(BallotCode.id)).all()
        names = {u.slug: u.name for u in session.scalars(sa.select(Unit))}
    return {"issued": len(rows), "used": sum(1 for _, used in rows if used),
            "respondents": [{"unit": r, "name": names.get(r, r), "used": used}
                            for r, used in rows if r is not None]}


def codes_xlsx(survey: Survey, issued: list[design.IssuedCode], base_url: str) -> bytes:
    """The list to print and hand out: one code a row, with where to answer."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "投票码"
    sheet.append([f"{survey.title}：投票码（每码限用一次）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"答卷地址：{base_url}/surveys/{survey.id}"])
    sheet.append(["序号", "参评对象", "投票码"])
    for n, code in enumerate(issued, 1):
        sheet.append([n, code.respondent_name or "", code.code])
    for letter, width in (("A", 8), ("B", 40), ("C", 22)):
        sheet.column_dimensions[letter].width = width
    sheet.print_title_rows = "3:3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BALLOT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["answers"],
            "properties": {
                "code": {"type": "string", "description": "投票码 (codes surveys)"},
                "answers": {"type": "object",
                            "description": "{question id: value}; an evaluation: "
                                           "{unit slug: {question id: value}}"},
                "key": {"type": "string", "maxLength": 64,
                        "description": "a retry with the same key finds the first ballot"},
            },
        }}},
    }
}


@router.post("/api/surveys/{survey_id}/ballots", status_code=201, openapi_extra=BALLOT_BODY,
             responses=answers(413, 429),
             summary="提交答卷 (cast a ballot, public)")
async def post_ballot(survey_id: RowId, request: Request, ctx: ContextDep) -> JSONResponse:
    body = await read_json(request, ctx.settings.survey_max_ballot_bytes)
    if not isinstance(body, dict):
        raise Invalid("答卷须为 JSON 对象 (the ballot must be a JSON object)")
    code, key, trap = body.get("code"), body.get("key"), body.get("website", "")
    if code is not None and not isinstance(code, str):
        raise Invalid("code 须为文字 (code must be a string)")
    if key is not None and not isinstance(key, str):
        raise Invalid("key 须为文字 (key must be a string)")
    given = casting.BallotIn(
        survey_id=survey_id, answers=body.get("answers"), code=code, key=key,
        address=client_address(request, ctx),
        browser_seen=BROWSER_COOKIE.format(survey_id) in request.cookies,
        honeypot=trap if isinstance(trap, str) else "x")
    cast = await run_in_threadpool(casting.cast, ctx.db, ctx.settings, given, utcnow())
    response = JSONResponse({"ballot": cast.ballot, "status": "accepted"}, status_code=201)
    remember_browser(response, survey_id)
    return response


def remember_browser(response: Response, survey_id: int) -> None:
    response.set_cookie(BROWSER_COOKIE.format(survey_id), "1", max_age=365 * 24 * 3600,
                        httponly=True, samesite="lax", path="/")


@router.post("/api/surveys/{survey_id}/close", summary="结束调查 (close a survey)")
def post_close(survey_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.ADMIN)
    with ctx.db.transaction() as session:
        survey = design.close_survey(session, survey_id, now=utcnow())
        return {"id": survey.id, "state": "closed"}
