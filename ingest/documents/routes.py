"""``/api/documents``: publish a document, form or meeting notice, repeal one, and register
for a meeting."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ingest.documents import receive, registrations
from ingest.documents.forms import read_document
from ingest.documents.models import Document, DocumentStatus
from ingest.uploads import UploadLimits, parse_form
from services import audit, outbox
from services.clock import utcnow
from services.context import Context
from services.contracts.documents import DocumentRepealed
from services.http import XLSX, ContextDep, CurrentUser, RowId, answers
from services.identity import Principal, Role, require_role
from services.refusals import Conflict, NotFound

router = APIRouter(prefix="/api/documents", tags=["documents"])

DOCUMENT_FORM = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["kind", "title"],
            "properties": {
                "kind": {"type": "string", "enum": ["document", "form", "notice"]},
                "title": {"type": "string"}, "body": {"type": "string"},
                "number": {"type": "string"}, "issuer": {"type": "string"},
                "issued": {"type": "string", "format": "date"},
                "effective": {"type": "string", "format": "date"},
                "starts": {"type": "string"}, "place": {"type": "string"},
                "attendees": {"type": "string"}, "register_by": {"type": "string"},
                "units": {"type": "array", "items": {"type": "string"}},
                "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
            },
        }}},
    }
}


def _limits(ctx: Context) -> UploadLimits:
    s = ctx.settings
    return UploadLimits(max_file_bytes=s.max_attachment_bytes, max_files=s.max_attachments,
                        max_request_bytes=s.max_request_bytes, max_fields=s.max_form_fields,
                        max_field_chars=max(s.max_body_chars, s.max_title_chars))


@router.post("", status_code=202, openapi_extra=DOCUMENT_FORM,
             summary="发布文件、表格或会议通知 (publish a document, form or meeting notice)")
async def create_document(request: Request, ctx: ContextDep, user: CurrentUser) -> JSONResponse:
    require_role(user, Role.ADMIN)
    form = await parse_form(request.headers.get("content-type", ""),
                            request.headers.get("content-length"), request.stream(),
                            _limits(ctx), ctx.settings.data_dir / "tmp")
    try:
        draft = read_document(form, ctx.settings)
        body = await run_in_threadpool(receive.accept, ctx, user, draft)
    finally:
        form.discard()
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/documents/{body['id']}"})


def to_public(document: Document) -> dict[str, Any]:
    return {
        "id": document.id, "kind": document.kind, "status": document.status,
        "title": document.title, "body": document.body, "number": document.number,
        "issuer": document.issuer,
        "issued": document.issued.isoformat() if document.issued else None,
        "effective": document.effective.isoformat() if document.effective else None,
        "starts": document.starts.isoformat() if document.starts else None,
        "place": document.place, "attendees": document.attendees,
        "register_by": document.register_by.isoformat() if document.register_by else None,
        "units": document.units,
        "in_force": document.repealed is None,
        "repealed": document.repealed.isoformat() if document.repealed else None,
        "attachments": [{"position": a.position, "filename": a.filename, "format": a.format,
                         "content_type": a.content_type, "bytes": a.bytes}
                        for a in document.attachments],
        "findings": document.findings, "reason": document.reason, "url": document.url,
        "created_at": document.created_at.isoformat(),
    }


def _visible(user: Principal, document: Document | None) -> Document:
    if document is None or (not user.is_staff() and document.status != DocumentStatus.PUBLISHED):
        raise NotFound.of("文件")
    return document


@router.get("/{document_id}", summary="一份文件及其状态 (one document and its status)")
def get_document(document_id: RowId, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    with ctx.db.session() as session:
        return to_public(_visible(user, session.get(Document, document_id)))


@router.get("", summary="文件列表，新的在前 (documents, newest first)")
def list_documents(
    ctx: ContextDep, user: CurrentUser,
    kind: Annotated[Literal["document", "form", "notice"] | None, Query()] = None,
    invited: Annotated[bool, Query(description="informant: the notices that invite my unit")]
    = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    query = sa.select(Document).order_by(Document.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(Document.kind == kind)
    if not user.is_staff():
        query = query.where(Document.status == DocumentStatus.PUBLISHED)
    with ctx.db.session() as session:
        rows = session.scalars(query).all()
        if invited:
            rows = [d for d in rows if d.kind == "notice" and user.unit in d.units]
        return {"items": [to_public(d) for d in rows]}


class Repeal(BaseModel):
    reason: str = Field("", max_length=500)


@router.post("/{document_id}/repeal", summary="废止文件：仍在网上，标注已废止 (repeal a document)")
def repeal_document(document_id: RowId, ctx: ContextDep, user: CurrentUser,
                    body: Repeal | None = None) -> dict[str, Any]:
    require_role(user, Role.ADMIN)
    reason = (body.reason if body else "").strip()
    with ctx.db.transaction() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            raise NotFound.of("文件")
        if document.status != DocumentStatus.PUBLISHED:
            raise Conflict("只有已发布的文件才能废止 (only a published document can be repealed)")
        if document.repealed is not None:
            raise Conflict("该文件已废止 (already repealed)")
        today = utcnow().astimezone(ZoneInfo(ctx.settings.timezone)).date()
        document.repealed, document.repeal_reason = today, reason
        outbox.emit(session, DocumentRepealed(document=document.id, repealed=today,
                                              reason=reason).event(f"document/{document.id}"))
        audit.record(session, actor=user, action="document.repeal",
                     subject=f"document/{document.id}", reason=reason)
        return to_public(document)


class Names(BaseModel):
    names: list[str] = Field(max_length=200)


@router.post("/{document_id}/registrations", status_code=201,
             summary="为会议报名参会人员 (register attendees for a meeting)")
def register(document_id: RowId, body: Names, ctx: ContextDep, user: CurrentUser
             ) -> dict[str, Any]:
    require_role(user, Role.INFORMANT)
    with ctx.db.transaction() as session:
        return registrations.register(session, user, document_id, body.names,
                                      ctx.settings.max_registration_names)


@router.get("/{document_id}/registrations", summary="会议报名名单 (the registrations; xlsx too)",
            response_model=None, responses=answers(media=(XLSX,)))
def registration_list(document_id: RowId, ctx: ContextDep, user: CurrentUser,
                      format: Annotated[Literal["json", "xlsx"], Query()] = "json"
                      ) -> dict[str, Any] | Response:
    require_role(user, Role.ADMIN)
    with ctx.db.session() as session:
        data = registrations.listing(session, document_id)
    if format == "json":
        return data
    name = f"{data['title'][:60]}-报名名单.xlsx"
    return Response(
        registrations.to_xlsx(data, ctx.settings.timezone),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=\"registrations-{document_id}"
                                        f".xlsx\"; filename*=UTF-8''{quote(name)}",
                 "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
