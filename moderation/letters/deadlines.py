"""The mailbox's clock: escalating overdue letters (督办) and closing unrated answers.

Idempotent: an overdue letter is escalated once per deadline (``escalated_at``), a replied one
closed once, so a second scheduler or a restart changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from moderation.letters.desk import Desk, note, ref
from moderation.letters.handlers import close
from moderation.letters.models import CaseState, LetterCase
from services import outbox
from services.contracts import letters as c

log = logging.getLogger(__name__)


def check(desk: Desk, now: dt.datetime | None = None) -> dict[str, list[int]]:
    now = now or desk.now()
    today = desk.today(now)
    escalated: list[int] = []
    closed: list[int] = []
    with desk.ctx.db.transaction() as session:
        overdue = session.scalars(
            sa.select(LetterCase).where(LetterCase.state == CaseState.ASSIGNED,
                                        LetterCase.due < today,
                                        LetterCase.escalated_at.is_(None))
            .order_by(LetterCase.letter_id).with_for_update())
        for case in overdue:
            assert case.due is not None
            case.escalated_at = now
            note(case, None, "overdue", f"已超过 {case.due.month}月{case.due.day}日 的办理时限，"
                                         f"督办", now)
            outbox.emit(session, c.LetterOverdue(**ref(case), unit=case.unit or "", due=case.due)
                        .event(f"letter/{case.letter_id}"))
            escalated.append(case.letter_id)
        replied = session.scalars(
            sa.select(LetterCase).where(LetterCase.state == CaseState.REPLIED)
            .order_by(LetterCase.letter_id).with_for_update())
        for case in replied:
            assert case.replied_on is not None
            if desk.calendar.add_workdays(case.replied_on,
                                          desk.ctx.settings.letter_rating_days) < today:
                close(session, case, "satisfied", by_default=True, now=now)
                closed.append(case.letter_id)
    if escalated or closed:
        log.info("letters escalated as overdue: %s; closed unrated: %s", escalated, closed)
    return {"escalated": escalated, "closed": closed}
