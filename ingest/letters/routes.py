"""The public mailbox's endpoints at the edge: write a letter, look it up, rate the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ingest.letters import throttle, writer
from ingest.letters.draft import read_letter
from ingest.letters.intake import take
from ingest.uploads import UploadLimits, parse_form
from services.context import Context
from services.http import NOT_BLANK, ContextDep, answers, current_principal
from services.identity import Principal, Role, Unit
from services.refusals import Refusal
from services.web_session import SESSION_COOKIE

router = APIRouter(prefix="/api/letters", tags=["mailbox"])

LETTER_FORM = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["type", "subject", "body", "name", "phone"],
            "properties": {
                "type": {"type": "string", "enum": ["consult", "complaint", "suggestion",
                                                    "help"]},
                "subject": {"type": "string"}, "body": {"type": "string"},
                "name": {"type": "string"}, "phone": {"type": "string"},
                "email": {"type": "string"}, "enterprise": {"type": "string"},
                "consent": {"type": "string", "enum": ["true", "false"]},
                "show_enterprise": {"type": "string", "enum": ["true", "false"]},
                "attachments": {"type": "array",
                                "items": {"type": "string", "format": "binary"}},
            },
        }}},
    }
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _writer(request: Request) -> Principal | None:
    """A signed-in informant writes as their unit; anyone else writes as themselves."""
    if "authorization" not in request.headers and SESSION_COOKIE not in request.cookies:
        return None
    try:
        principal = current_principal(request)
    except Refusal:
        if "authorization" in request.headers:
            raise  # a token that was meant to count and does not: say so
        return None  # a stale browser session: the visitor writes as anyone may
    return principal if principal.role == Role.INFORMANT and principal.unit else None


def _limits(ctx: Context) -> UploadLimits:
    s = ctx.settings
    return UploadLimits(max_file_bytes=s.letter_max_attachment_bytes,
                        max_files=s.letter_max_attachments,
                        max_request_bytes=s.letter_max_attachment_bytes
                        * max(1, s.letter_max_attachments) + 1024 * 1024,
                        max_fields=30, max_field_chars=s.letter_max_body_chars)


@router.post("", status_code=201, openapi_extra=LETTER_FORM, responses=answers(429),
             summary="写一封来信 (write a letter to the public mailbox)")
async def write_letter(request: Request, ctx: ContextDep) -> JSONResponse:
    s = ctx.settings
    principal = _writer(request)
    await run_in_threadpool(throttle.hit, ctx.db, f"address:{client_address(request)}",
                            s.letter_address_limit, s.letter_address_window_seconds, "来信")
    form = await parse_form(request.headers.get("content-type", ""),
                            request.headers.get("content-length"), request.stream(),
                            _limits(ctx), s.data_dir / "tmp")
    try:
        default_name = default_enterprise = ""
        if principal is not None:
            with ctx.db.session() as session:
                unit = session.get(Unit, principal.unit)
            default_name = principal.name
            default_enterprise = unit.name if unit else ""
        draft = read_letter(form, s, default_name=default_name,
                            default_enterprise=default_enterprise)
        taken = await run_in_threadpool(take, ctx, draft, principal)
    finally:
        form.discard()
    return JSONResponse(taken.body, status_code=taken.status_code)


def _lookup_limit(ctx: Context, request: Request) -> None:
    s = ctx.settings
    throttle.hit(ctx.db, f"lookup:{client_address(request)}", s.letter_lookup_limit,
                 s.letter_lookup_window_seconds, "查询")


@router.get("/lookup", responses=answers(404, 429),
            summary="凭查询码和密码查看来信 (the writer's view of a letter)")
def look_up(request: Request, ctx: ContextDep,
            code: Annotated[str, Query(max_length=16)],
            secret: Annotated[str, Query(max_length=64)]) -> dict[str, Any]:
    _lookup_limit(ctx, request)
    return writer.look_up(ctx, code, secret)


class RatingIn(BaseModel):
    code: str = Field(max_length=16)
    secret: str = Field(max_length=64)
    rating: str = Field(max_length=16, json_schema_extra={  # said in words when it is not
        "enum": ["satisfied", "basic", "unsatisfied"]})


class SupplementIn(BaseModel):
    code: str = Field(max_length=16)
    secret: str = Field(max_length=64)
    text: str = Field(max_length=20_000, json_schema_extra={"pattern": NOT_BLANK})


@router.post("/lookup/rating", responses=answers(404, 429),
             summary="评价答复 (rate the answer)")
def rate(request: Request, ctx: ContextDep, body: RatingIn) -> dict[str, Any]:
    _lookup_limit(ctx, request)
    return writer.rate(ctx, body.code, body.secret, body.rating)


@router.post("/lookup/supplement", responses=answers(404, 429),
             summary="补充材料 (answer the unit's question)")
def supplement(request: Request, ctx: ContextDep, body: SupplementIn) -> dict[str, Any]:
    _lookup_limit(ctx, request)
    return writer.supplement(ctx, body.code, body.secret, body.text)
