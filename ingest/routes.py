"""The submission endpoints: upload, revise, read and list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ingest.forms import read_draft
from ingest.models import Status, Submission
from ingest.submit import Replay, accept
from ingest.uploads import UploadLimits, parse_form
from services import metrics
from services.context import Context
from services.http import ContextDep, CurrentUser, MonthQuery, RowId
from services.identity import Principal, Role, require_role, unit_names, user_names
from services.refusals import Forbidden, Invalid, NotFound, Refusal

router = APIRouter(prefix="/api/submissions", tags=["submissions"])

UPLOAD_FORM = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["kind", "title"],
            "properties": {
                "kind": {"type": "string", "enum": ["article", "photo"]},
                "title": {"type": "string"},
                "body": {"type": "string"},
                "column": {"type": "string"},
                "topic": {"type": "string"},
                "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                "captions": {"type": "array", "items": {"type": "string"}},
            },
        }}},
    }
}


def _limits(ctx: Context) -> UploadLimits:
    s = ctx.settings
    return UploadLimits(max_file_bytes=s.max_photo_bytes, max_files=s.max_photos,
                        max_request_bytes=s.max_request_bytes, max_fields=s.max_form_fields,
                        max_field_chars=max(s.max_body_chars, s.max_title_chars))


async def _submit(request: Request, ctx: Context, user: Principal, key: str | None,
                  revision_of: int | None) -> JSONResponse:
    try:
        return await _submit_or_refuse(request, ctx, user, key, revision_of)
    except Refusal as refusal:  # what operators see of refused uploads: a count by reason
        metrics.UPLOADS_REJECTED.labels(reason=refusal.reason).inc()
        raise


async def _submit_or_refuse(request: Request, ctx: Context, user: Principal, key: str | None,
                            revision_of: int | None) -> JSONResponse:
    require_role(user, Role.INFORMANT)
    if key is not None and not 0 < len(key) <= ctx.settings.max_idempotency_key_chars:
        raise Invalid("Idempotency-Key 长度无效 (invalid Idempotency-Key)")
    form = await parse_form(
        request.headers.get("content-type", ""), request.headers.get("content-length"),
        request.stream(), _limits(ctx), ctx.settings.data_dir / "tmp",
    )
    try:
        draft = read_draft(form, ctx.settings, ctx.columns)
        body = await run_in_threadpool(
            accept, ctx, user, draft, revision_of=revision_of, idempotency_key=key)
    except Replay as replay:
        return JSONResponse(replay.response, status_code=replay.status_code,
                            headers={"Idempotent-Replayed": "true"})
    finally:
        form.discard()
    return JSONResponse(body, status_code=202,
                        headers={"Location": f"/api/submissions/{body['id']}"})


@router.post("", status_code=202, openapi_extra=UPLOAD_FORM,
             summary="报送一篇文章或一组图片 (upload an article or photos)")
async def create_submission(
    request: Request, ctx: ContextDep, user: CurrentUser,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    return await _submit(request, ctx, user, idempotency_key, None)


@router.post("/{submission_id}/revision", status_code=202, openapi_extra=UPLOAD_FORM,
             summary="重新提交退回的稿件 (resend a returned submission)")
async def revise_submission(
    submission_id: RowId, request: Request, ctx: ContextDep, user: CurrentUser,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    return await _submit(request, ctx, user, idempotency_key, submission_id)


def to_public(sub: Submission, session: Session, *, names: dict[int, str] | None = None,
              units: dict[str, Any] | None = None) -> dict[str, Any]:
    names = names if names is not None else user_names(session)
    units = units if units is not None else unit_names(session)
    unit = units.get(sub.unit_slug)
    revisions = session.scalars(
        sa.select(Submission.id).where(Submission.revision_of == sub.id)).all()
    return {
        "id": sub.id,
        "status": sub.status,
        "kind": sub.kind,
        "title": sub.title,
        "body": sub.body,
        "column": sub.column,
        "unit": sub.unit_slug,
        "unit_name": unit.name if unit else sub.unit_slug,
        "informant": sub.informant_id,
        "informant_name": names.get(sub.informant_id, ""),
        "topic": sub.topic,
        "revision_of": sub.revision_of,
        "revisions": list(revisions),
        "reason": sub.reason,
        "photos": [
            {"position": p.position, "filename": p.filename, "caption": p.caption,
             "bytes": p.bytes, "format": p.format, "width": p.width, "height": p.height,
             "sha256": p.sha256}
            for p in sub.photos
        ],
        "findings": sub.findings,
        "url": sub.url,
        "created_at": sub.created_at.isoformat(),
        "updated_at": sub.status_at.isoformat(),
    }


def _visible(user: Principal, sub: Submission | None) -> Submission:
    if sub is None or (not user.is_staff() and sub.unit_slug != user.unit):
        raise NotFound.of("稿件")
    return sub


@router.get("/{submission_id}", summary="一份稿件的状态 (one submission and its status)")
def get_submission(submission_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    with ctx.db.session() as session:
        return to_public(_visible(user, session.get(Submission, submission_id)), session)


def month_range(month: str, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        start = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=ZoneInfo(timezone))
    except ValueError as exc:
        raise Invalid("月份格式应为 YYYY-MM (month must be YYYY-MM)") from exc
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


@router.get("", summary="稿件列表，新的在前 (submissions, newest first)")
def list_submissions(
    ctx: ContextDep, user: CurrentUser,
    status: Annotated[Status | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    month: MonthQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    query = sa.select(Submission).order_by(Submission.id.desc())
    if not user.is_staff():
        if unit is not None and unit != user.unit:
            raise Forbidden("只能查看本单位的稿件 (you can list only your unit's submissions)")
        unit = user.unit
    if unit is not None:
        query = query.where(Submission.unit_slug == unit)
    if status is not None:
        query = query.where(Submission.status == status.value)
    if month is not None:
        start, end = month_range(month, ctx.settings.timezone)
        query = query.where(Submission.created_at >= start, Submission.created_at < end)
    with ctx.db.session() as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = session.scalars(query.limit(limit).offset(offset)).all()
        names, units = user_names(session), unit_names(session)
        items = [to_public(s, session, names=names, units=units) for s in rows]
    return {"total": total, "items": items}
