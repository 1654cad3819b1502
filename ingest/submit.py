"""Accepting a submission: photos into the store first, then one transaction for the row, the
idempotency record and the ``submission.received`` event.

A crash after the photos are stored but before the commit leaves objects no row points to (an
orphan, harmless); never a row whose photos are missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.forms import Draft
from ingest.models import IdempotencyKey, Photo, Status, Submission
from ingest.topics import check_answer
from services import outbox
from services.context import Context
from services.contracts.submissions import Received, SubmissionId, UploadedPhoto
from services.events import Event
from services.identity import Principal, Unit
from services.images import ImageHeader, ImageLimits, ImageRejected, probe
from services.refusals import Conflict, Forbidden, Invalid, NotFound, Refusal, TooLarge, Unsupported

log = logging.getLogger(__name__)

EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# a photo past a size limit is too large; one of another format or broken is refused as such
REFUSAL_OF_LIMIT: dict[str, type[Refusal]] = {"format": Unsupported, "integrity": Invalid}


class Replay(Exception):
    """The request repeats an earlier one with the same key: answer what was answered then."""

    def __init__(self, status_code: int, response: dict[str, Any]) -> None:
        self.status_code = status_code
        self.response = response


def _replay(session: Session, principal: Principal, key: str, fingerprint: str) -> None:
    record = session.get(IdempotencyKey, (principal.id, key))
    if record is None:
        return
    if record.fingerprint != fingerprint:
        raise Invalid("同一个 Idempotency-Key 已用于另一份不同的稿件 "
                      "(Idempotency-Key reused with a different request)")
    raise Replay(record.status_code, record.response)


def _probe_photos(ctx: Context, draft: Draft) -> list[ImageHeader]:
    s = ctx.settings
    limits = ImageLimits(formats=s.photo_formats, max_pixels=s.max_photo_pixels,
                         max_side=s.max_photo_side)
    headers = []
    for photo in draft.photos:
        try:
            headers.append(probe(photo.upload.path, limits))
        except ImageRejected as exc:
            kind = REFUSAL_OF_LIMIT.get(exc.limit, TooLarge)
            raise kind(f"照片 {photo.upload.filename}：{exc}", reason=f"photo_{exc.limit}") \
                from exc
    total = sum(h.width * h.height for h in headers)
    if total > s.max_submission_pixels:
        # each photo within its cap, but all of them together would take the checks too long
        # (twenty 40-megapixel bilevel PNGs are 344 KB and held the queue up for 19 s)
        raise TooLarge(f"本稿照片合计 {total:,} 像素，超过每篇 {s.max_submission_pixels:,} "
                       f"像素上限 (too many pixels in one submission)",
                       reason="submission_pixels")
    return headers


def _check_revision(session: Session, principal: Principal, original_id: int,
                    draft: Draft) -> Submission:
    original = session.get(Submission, original_id)
    if original is None or original.unit_slug != principal.unit:
        raise NotFound("没有找到该稿件 (submission not found)")
    if original.status != Status.RETURNED:
        raise Conflict(f"只有退回修改的稿件才能重新提交，该稿件状态为 {original.status} "
                       f"(only a returned submission can be revised)")
    if original.kind != draft.kind:
        raise Invalid("修改稿的类型须与原稿相同 (a revision keeps the kind of the original)")
    taken = session.scalar(sa.select(Submission.id).where(Submission.revision_of == original_id))
    if taken is not None:
        raise Conflict(f"该稿件已重新提交过（稿件 {taken}） (already revised as {taken})")
    return original


def accept(ctx: Context, principal: Principal, draft: Draft, *, revision_of: int | None = None,
           idempotency_key: str | None = None) -> dict[str, Any]:
    """Record ``draft`` for ``principal`` and return the receipt (its id and status); or raise a
    refusal, or :class:`Replay` when the key was answered before."""
    fingerprint = draft.fingerprint()
    with ctx.db.session() as session:
        if idempotency_key:
            _replay(session, principal, idempotency_key, fingerprint)
        unit = session.get(Unit, principal.unit) if principal.unit else None
        if unit is None:
            raise Forbidden("您的账号不属于任何单位，不能报送 (user has no unit)")
        if revision_of is not None:
            _check_revision(session, principal, revision_of, draft)
        if draft.topic is not None:
            check_answer(session, draft.topic, unit.slug)
        unit_kind = unit.kind
    if draft.column is not None and (why := ctx.columns.refusal(draft.column, unit_kind)):
        raise Forbidden(why)  # the column is not open to the unit's kind
    headers = _probe_photos(ctx, draft)

    today = dt.datetime.now(dt.UTC)
    keys = []
    for photo, header in zip(draft.photos, headers, strict=True):
        key = f"submissions/{today:%Y/%m}/{uuid.uuid4().hex}{EXTENSIONS[header.format]}"
        with photo.upload.path.open("rb") as stream:
            ctx.uploads.put_stream(key, stream, photo.upload.size, CONTENT_TYPES[header.format])
        keys.append(key)

    try:
        with ctx.db.transaction() as session:
            if idempotency_key:
                _replay(session, principal, idempotency_key, fingerprint)
            if revision_of is not None:
                _check_revision(session, principal, revision_of, draft)
            submission = Submission(
                kind=draft.kind, title=draft.title, body=draft.body,
                column=draft.column or ctx.columns.default_column(draft.kind, unit_kind),
                unit_slug=unit.slug, informant_id=principal.id, topic=draft.topic,
                revision_of=revision_of, content_hash=draft.content_hash(),
                status=Status.RECEIVED, findings=[],
            )
            session.add(submission)
            session.flush()
            for position, (photo, header, key) in enumerate(
                    zip(draft.photos, headers, keys, strict=True)):
                session.add(Photo(
                    submission_id=submission.id, position=position, object_key=key,
                    filename=photo.upload.filename, content_type=CONTENT_TYPES[header.format],
                    format=header.format, width=header.width, height=header.height,
                    bytes=photo.upload.size, sha256=photo.upload.sha256, caption=photo.caption,
                ))
            response = {"id": submission.id, "status": Status.RECEIVED.value}
            if idempotency_key:
                session.add(IdempotencyKey(user_id=principal.id, key=idempotency_key,
                                           fingerprint=fingerprint, submission_id=submission.id,
                                           status_code=202, response=response))
            outbox.emit(session, received_event(submission, draft, headers, keys, unit_kind,
                                                principal))
    except (Refusal, Replay, IntegrityError) as exc:
        for key in keys:  # nothing points at these objects: take them back
            ctx.uploads.delete(key)
        if isinstance(exc, IntegrityError) and idempotency_key:
            # the same key committed by a concurrent retry a moment ago: answer as it was answered
            with ctx.db.session() as session:
                _replay(session, principal, idempotency_key, fingerprint)
        raise
    return response


def received_event(submission: Submission, draft: Draft, headers: list[ImageHeader],
                   keys: list[str], unit_kind: str, principal: Principal) -> Event:
    return Received(
        submission=SubmissionId(submission.id), kind=submission.kind, unit=submission.unit_slug,
        unit_kind=unit_kind, informant=principal.id, topic=submission.topic,
        revision_of=(SubmissionId(submission.revision_of)
                     if submission.revision_of is not None else None),
        content_hash=submission.content_hash, title=submission.title, body=submission.body,
        column=submission.column, informant_name=principal.name,
        photos=[UploadedPhoto(key=key, filename=p.upload.filename, caption=p.caption,
                              bytes=p.upload.size, sha256=p.upload.sha256, format=h.format,
                              width=h.width, height=h.height)
                for p, h, key in zip(draft.photos, headers, keys, strict=True)],
    ).event()
