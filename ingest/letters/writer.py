"""What the writer does with the query code and secret: look, rate the answer, send material.

Every call is checked against the secret's hash; a wrong code or secret is the same 404, so
nobody can tell a real code from a guess.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingest.forms import clean_text
from ingest.letters.intake import secret_matches
from ingest.letters.models import STATUS_LABELS, Letter, LetterStatus
from services import outbox
from services.clock import utcnow
from services.context import Context
from services.contracts.letters import (
    RATING_LABELS,
    TYPE_LABELS,
    LetterRated,
    LetterSupplemented,
)
from services.refusals import Conflict, Invalid, NotFound

NO_SUCH_LETTER = "查询码或密码不对 (no letter with this code and secret)"


def _letter(session: Session, code: str, secret: str, *, lock: bool = False) -> Letter:
    code = code.strip()
    if not code.isdigit() or len(code) > 16 or not secret or len(secret) > 64:
        raise NotFound(NO_SUCH_LETTER)
    query = sa.select(Letter).where(Letter.code == code)
    letter = session.scalars(query.with_for_update() if lock else query).first()
    if letter is None or not secret_matches(letter, secret):
        raise NotFound(NO_SUCH_LETTER)
    return letter


def writer_view(letter: Letter) -> dict[str, Any]:
    return {
        "code": letter.code, "type": letter.type, "type_label": TYPE_LABELS[letter.type],
        "subject": letter.subject, "body": letter.body, "status": letter.status,
        "status_label": STATUS_LABELS[LetterStatus(letter.status)],
        "received": letter.created_at.isoformat(),
        "due": letter.due.isoformat() if letter.due else None,
        "question": letter.question if letter.status == LetterStatus.PAUSED else None,
        "reply": letter.reply, "rating": letter.rating,
        "rating_label": RATING_LABELS.get(letter.rating or "", None),
        "can_rate": letter.status == LetterStatus.REPLIED and letter.rating is None,
        "url": letter.url, "history": letter.history,
        "attachments": [a.get("filename", "") for a in letter.attachments],
    }


def look_up(ctx: Context, code: str, secret: str) -> dict[str, Any]:
    with ctx.db.session() as session:
        return writer_view(_letter(session, code, secret))


def _ref(letter: Letter) -> dict[str, Any]:
    return {"letter": letter.id, "code": letter.code, "type": letter.type,
            "received_at": letter.created_at}


def rate(ctx: Context, code: str, secret: str, rating: str) -> dict[str, Any]:
    if rating not in RATING_LABELS:
        raise Invalid("评价须为 satisfied（满意）、basic（基本满意）或 unsatisfied（不满意） "
                      "(rating must be satisfied, basic or unsatisfied)")
    with ctx.db.transaction() as session:
        letter = _letter(session, code, secret, lock=True)
        if letter.rating is not None and letter.status == LetterStatus.REPLIED:
            raise Conflict("这次答复已经评价过了 (already rated)")
        if letter.status != LetterStatus.REPLIED:
            raise Conflict("来信还没有答复，暂不能评价 (there is no answer to rate yet)")
        now = utcnow()
        letter.rating = rating
        letter.rated_at = now
        letter.history = [*letter.history, {"at": now.isoformat(),
                                            "what": f"来信人评价：{RATING_LABELS[rating]}"}]
        outbox.emit(session, LetterRated(**_ref(letter), rating=rating)  # type: ignore[arg-type]
                    .event(f"letter/{letter.id}"))
        return writer_view(letter)


def supplement(ctx: Context, code: str, secret: str, text: str) -> dict[str, Any]:
    text = clean_text(text)
    if not text:
        raise Invalid("请填写补充的材料或说明 (text is required)")
    if len(text) > ctx.settings.letter_max_body_chars:
        raise Invalid(f"补充说明不能超过 {ctx.settings.letter_max_body_chars} 字 (text too long)")
    with ctx.db.transaction() as session:
        letter = _letter(session, code, secret, lock=True)
        if letter.status != LetterStatus.PAUSED:
            raise Conflict("办理单位没有要求补充材料 (nothing was asked of the writer)")
        now = utcnow()
        letter.history = [*letter.history, {"at": now.isoformat(), "what": "来信人已补充材料"}]
        outbox.emit(session, LetterSupplemented(**_ref(letter), text=text)
                    .event(f"letter/{letter.id}"))
        return writer_view(letter)
