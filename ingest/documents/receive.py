"""Receiving a document: attachments checked by their content and stored first, then one
transaction for the row and its ``document.received`` event (as with submissions, a crash in
between leaves only objects no row points to)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from ingest.documents.attachments import Checked, check_attachment
from ingest.documents.forms import DocumentDraft
from ingest.documents.models import Document, DocumentAttachment, DocumentStatus
from services import outbox
from services.context import Context
from services.contracts.documents import Attachment, DocumentReceived
from services.identity import Principal, Unit
from services.refusals import Invalid


def _check_units(ctx: Context, slugs: tuple[str, ...]) -> None:
    if not slugs:
        return
    with ctx.db.session() as session:
        known = set(session.scalars(sa.select(Unit.slug).where(Unit.slug.in_(slugs))))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise Invalid(f"没有这些单位：{'、'.join(unknown)} (unknown units)")


def _check_files(ctx: Context, draft: DocumentDraft) -> list[Checked]:
    s = ctx.settings
    return [check_attachment(f.path, f.filename, f.size, max_bytes=s.max_attachment_bytes,
                             max_unpacked=s.max_attachment_unpacked_bytes) for f in draft.files]


def accept(ctx: Context, principal: Principal, draft: DocumentDraft) -> dict[str, Any]:
    _check_units(ctx, draft.units)
    checked = _check_files(ctx, draft)
    today = dt.datetime.now(dt.UTC)
    keys = []
    for upload, info in zip(draft.files, checked, strict=True):
        key = f"documents/{today:%Y/%m}/{uuid.uuid4().hex}.{info.format}"
        with upload.path.open("rb") as stream:
            ctx.uploads.put_stream(key, stream, upload.size, info.content_type)
        keys.append(key)
    try:
        with ctx.db.transaction() as session:
            document = Document(
                kind=draft.kind, title=draft.title, body=draft.body, number=draft.number,
                issuer=draft.issuer, issued=draft.issued, effective=draft.effective,
                starts=draft.starts, place=draft.place, attendees=draft.attendees,
                register_by=draft.register_by, units=list(draft.units),
                author_id=principal.id, content_hash=draft.content_hash(),
                status=DocumentStatus.RECEIVED, findings=[])
            session.add(document)
            session.flush()
            attachments = []
            for position, (upload, info, key) in enumerate(
                    zip(draft.files, checked, keys, strict=True)):
                session.add(DocumentAttachment(
                    document_id=document.id, position=position, object_key=key,
                    filename=info.filename, format=info.format, content_type=info.content_type,
                    bytes=upload.size, sha256=upload.sha256))
                attachments.append(Attachment(key=key, filename=info.filename, format=info.format,  # type: ignore[arg-type]
                                              content_type=info.content_type, bytes=upload.size,
                                              sha256=upload.sha256))
            payload = DocumentReceived(
                document=document.id, kind=draft.kind,  # type: ignore[arg-type]
                title=draft.title, body=draft.body, number=draft.number, issuer=draft.issuer,
                issued=draft.issued, effective=draft.effective, starts=draft.starts,
                place=draft.place, attendees=draft.attendees, register_by=draft.register_by,
                units=list(draft.units), attachments=attachments, author=principal.id,
                author_role=principal.role.value, content_hash=document.content_hash)
            outbox.emit(session, payload.event(f"document/{document.id}"))
            return {"id": document.id, "status": DocumentStatus.RECEIVED.value}
    except Exception:
        for key in keys:  # nothing points at these objects: take them back
            ctx.uploads.delete(key)
        raise
