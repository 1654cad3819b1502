"""The mailbox desk's shared shape: the context, calendar and clock every step uses, the
state names, and how a step writes its history and its event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from moderation.letters.calendar import WorkCalendar
from moderation.letters.models import CaseState, LetterCase
from services import outbox
from services.clock import utcnow
from services.context import Context
from services.contracts import Payload
from services.identity import Principal

STATE_LABELS = {
    CaseState.RECEIVED: "待受理", CaseState.ASSIGNED: "办理中", CaseState.PAUSED: "挂起",
    CaseState.ANSWERED: "待审核答复", CaseState.REPLIED: "已答复待评价",
    CaseState.CLOSED: "已办结", CaseState.DECLINED: "不予受理",
}


@dataclass
class Desk:
    """What every action needs: the context, the working-day calendar and the clock (one
    clock for the actions, the consumer and the deadline job, so a test can move it)."""

    ctx: Context
    calendar: WorkCalendar
    clock: Callable[[], dt.datetime] = utcnow

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or self.now()).astimezone(ZoneInfo(self.ctx.settings.timezone)).date()

    def due_from(self, letter_type: str, start: dt.date) -> dt.date:
        return self.calendar.add_workdays(start, self.ctx.settings.letter_days(letter_type))


def ref(case: LetterCase) -> dict[str, Any]:
    return {"letter": case.letter_id, "code": case.code, "type": case.type,
            "received_at": case.received_at}


def note(case: LetterCase, user: Principal | None, action: str, note: str = "",
          now: dt.datetime | None = None) -> None:
    entry = {"at": (now or utcnow()).isoformat(), "action": action,
             "by": user.name if user else "系统", "role": user.role.value if user else "",
             "note": note}
    case.history = [*case.history, entry]
    case.updated_at = now or utcnow()


def emit(session: Session, case: LetterCase, payload: Payload) -> None:
    """The step is done: its event goes out, and the claim that guarded it is let go, so the
    next hand (the unit, the centre's reviewer) finds the letter free."""
    case.claimed_by = case.claim_expires_at = None
    outbox.emit(session, payload.event(f"letter/{case.letter_id}"))
