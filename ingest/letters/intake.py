"""Taking a letter: attachments checked by their content and stored, then one transaction for
the letter, its history and ``letter.received``; answered with the query code and a secret that
is shown once (only its hash is kept).

The same letter (type, subject, text and files) from the same phone number within
``letter_merge_hours`` is merged with the first: nothing new is stored or counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ingest.letters import throttle
from ingest.letters.draft import LetterDraft, phone_hash
from ingest.letters.models import Letter, LetterStatus
from ingest.uploads import UploadedFile
from services import outbox
from services.clock import utcnow
from services.context import Context
from services.contracts.letters import Attachment, LetterReceived
from services.identity import Principal
from services.images import ImageLimits, ImageRejected, probe
from services.refusals import Invalid, Unsupported

CODE_DIGITS = 10
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # nothing to misread: no 0/O, 1/I/L
SECRET_CHARS = 10
IMAGE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"),
               "WEBP": ("image/webp", ".webp")}


@dataclass(frozen=True)
class Taken:
    status_code: int
    body: dict[str, object]


def secret_hash(code: str, secret: str) -> str:
    return hashlib.sha256(f"{code}:{secret.strip().upper()}".encode()).hexdigest()


def secret_matches(letter: Letter, secret: str) -> bool:
    return hmac.compare_digest(letter.secret_hash, secret_hash(letter.code, secret))


def _new_code() -> str:
    return f"{secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1)}"


def _new_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_CHARS))


def is_pdf(path: Path) -> bool:
    """A PDF by its content: the header at the start and the end-of-file marker near the end."""
    with path.open("rb") as f:
        head = f.read(1024)
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 2048))
        tail = f.read()
    return head.lstrip(b"\r\n\t ").startswith(b"%PDF-") and b"%%EOF" in tail


def _kind_of(ctx: Context, upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) read from the bytes, whatever the name or header says."""
    s = ctx.settings
    limits = ImageLimits(formats=s.photo_formats, max_pixels=s.max_photo_pixels,
                         max_side=s.max_photo_side)
    if is_pdf(upload.path):
        return "application/pdf", ".pdf"
    try:
        header = probe(upload.path, limits)
    except ImageRejected as exc:
        if exc.limit == "format":
            raise Unsupported(f"附件 {upload.filename} 不是照片（JPEG、PNG、WEBP）或 PDF "
                              f"(attachments must be photos or PDF)") from exc
        raise Invalid(f"附件 {upload.filename}：{exc}") from exc
    return IMAGE_TYPES[header.format]


def _merged_with(ctx: Context, draft: LetterDraft, phone: str) -> Letter | None:
    since = utcnow() - dt.timedelta(hours=ctx.settings.letter_merge_hours)
    with ctx.db.session() as session:
        return session.scalars(
            sa.select(Letter).where(Letter.phone_hash == phone,
                                    Letter.content_hash == draft.content_hash(),
                                    Letter.created_at >= since).order_by(Letter.id)).first()


def take(ctx: Context, draft: LetterDraft, writer: Principal | None) -> Taken:
    s = ctx.settings
    phone = phone_hash(draft.phone, s.secret)
    first = _merged_with(ctx, draft, phone)
    if first is not None:
        return Taken(200, {"code": first.code, "secret": None, "status": first.status,
                           "merged": True,
                           "message": "您已写过内容相同的来信，已与前一封合并，请用当时的查询码和"
                                      "密码查看 (merged with your earlier, identical letter)"})
    throttle.hit(ctx.db, f"phone:{phone[:40]}", s.letter_phone_limit,
                 s.letter_phone_window_seconds, "同一电话号码来信")
    kinds = [_kind_of(ctx, upload) for upload in draft.attachments]
    now = utcnow()
    stored: list[Attachment] = []
    try:
        for upload, (content_type, ext) in zip(draft.attachments, kinds, strict=True):
            key = f"letters/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"
            with upload.path.open("rb") as stream:
                ctx.uploads.put_stream(key, stream, upload.size, content_type)
            stored.append(Attachment(key=key, filename=upload.filename,
                                     content_type=content_type, bytes=upload.size,
                                     sha256=upload.sha256))
        for _ in range(5):
            code, secret = _new_code(), _new_secret()
            try:
                letter_id = _record(ctx, draft, writer, phone, code, secret, stored, now)
            except IntegrityError:
                continue  # the code was taken a moment ago: draw another
            return Taken(201, {"id": letter_id, "code": code, "secret": secret,
                               "status": LetterStatus.RECEIVED.value})
        raise RuntimeError("no free query code after five draws")
    except BaseException:
        for attachment in stored:  # nothing points at these objects: take them back
            ctx.uploads.delete(attachment.key)
        raise


def _record(ctx: Context, draft: LetterDraft, writer: Principal | None, phone: str, code: str,
            secret: str, attachments: list[Attachment], now: dt.datetime) -> int:
    with ctx.db.transaction() as session:
        letter = Letter(
            code=code, secret_hash=secret_hash(code, secret), type=draft.type,
            subject=draft.subject, body=draft.body, phone_hash=phone,
            content_hash=draft.content_hash(), consent=draft.consent,
            writer_unit=writer.unit if writer else None,
            attachments=[{"key": a.key, "filename": a.filename, "content_type": a.content_type,
                          "bytes": a.bytes} for a in attachments],
            status=LetterStatus.RECEIVED, status_at=now, created_at=now,
            history=[{"at": now.isoformat(), "what": "来信已收到"}])
        session.add(letter)
        session.flush()
        outbox.emit(session, LetterReceived(
            letter=letter.id, code=code, type=draft.type,  # type: ignore[arg-type]
            subject=draft.subject, body=draft.body, name=draft.name, phone=draft.phone,
            email=draft.email, enterprise=draft.enterprise,
            show_enterprise=draft.show_enterprise, consent=draft.consent,
            writer_unit=letter.writer_unit, attachments=attachments, received_at=now,
        ).event(f"letter/{letter.id}"))
        return letter.id
