"""What the centre and the handling units do with a letter, and what the writer's answers do.

Every action locks the case, checks who may do it in which state (refusals say why), changes
the case, writes its history and the audit log, and emits its event, all in one transaction.
The actions that a claim guards refuse someone else's open claim (409), as in the moderator
queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from moderation.letters.calendar import WorkCalendar
from moderation.letters.models import CaseState, LetterCase
from moderation.letters.redact import redact
from services import audit, outbox
from services.clock import utcnow
from services.context import Context
from services.contracts import letters as c
from services.identity import Principal, Role, Unit, user_names
from services.refusals import Conflict, Forbidden, Invalid, NotFound

STATE_LABELS = {
    CaseState.RECEIVED: "待受理", CaseState.ASSIGNED: "办理中", CaseState.PAUSED: "挂起",
    CaseState.ANSWERED: "待审核答复", CaseState.REPLIED: "已答复待评价",
    CaseState.CLOSED: "已办结", CaseState.DECLINED: "不予受理",
}
MAX_REASON = 2000
MAX_EXTENSION_DAYS = 30


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


# --- who may see and do what -------------------------------------------------------------------

def is_centre(user: Principal) -> bool:
    return user.role == Role.MODERATOR


def may_see(user: Principal, case: LetterCase) -> bool:
    return is_centre(user) or (user.role == Role.HANDLER and user.unit is not None
                               and case.unit == user.unit)


def require_desk_role(user: Principal) -> None:
    if user.role not in (Role.MODERATOR, Role.HANDLER):
        raise Forbidden("没有权限：来信只由信息中心和办理单位处理 (requires role: moderator "
                        "or handler)")


def visible_case(session: Session, user: Principal, letter_id: int, *,
                 lock: bool = False) -> LetterCase:
    require_desk_role(user)
    case = session.get(LetterCase, letter_id, with_for_update=lock)
    if case is None or not may_see(user, case):
        raise NotFound.of("来信")
    return case


def _require_centre(user: Principal) -> None:
    if not is_centre(user):
        raise Forbidden("只有信息中心（审核员）可以这样做 (only the centre may do this)")


def _require_handling_unit(user: Principal, case: LetterCase) -> None:
    if user.role != Role.HANDLER or case.unit != user.unit:
        raise Forbidden("只有办理单位可以这样做 (only the handling unit may do this)")


def _require_state(case: LetterCase, *states: CaseState, doing: str) -> None:
    if case.state not in states:
        label = STATE_LABELS.get(CaseState(case.state), case.state)
        raise Conflict(f"来信当前为“{label}”，不能{doing} (the letter is {case.state})")


def _claim_conflict(session: Session, case: LetterCase, user: Principal,
                    now: dt.datetime) -> None:
    if (case.claimed_by and case.claimed_by != user.id and case.claim_expires_at
            and case.claim_expires_at > now):
        name = user_names(session).get(case.claimed_by, f"#{case.claimed_by}")
        raise Conflict(f"该来信正由 {name} 处理 (claimed by someone else)")


def _text(value: str, label: str, limit: int = MAX_REASON) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"请填写{label} ({label} is required)")
    if len(value) > limit:
        raise Invalid(f"{label}不能超过 {limit} 字 (too long)")
    return value


HANDLING_KINDS = ("department", "county")  # a department of the commission, a county bureau


def _unit(session: Session, slug: str | None, label: str) -> Unit:
    unit = session.get(Unit, slug) if slug else None
    if unit is None:
        raise Invalid(f"没有这个{label} (no such unit {slug!r})")
    if unit.kind not in HANDLING_KINDS:
        raise Invalid(f"{unit.name}不是办理单位：来信只转交委内部门或县区经信局 "
                      f"(letters go to departments and county bureaus only)")
    return unit


def ref(case: LetterCase) -> dict[str, Any]:
    return {"letter": case.letter_id, "code": case.code, "type": case.type,
            "received_at": case.received_at}


def _note(case: LetterCase, user: Principal | None, action: str, note: str = "",
          now: dt.datetime | None = None) -> None:
    entry = {"at": (now or utcnow()).isoformat(), "action": action,
             "by": user.name if user else "系统", "role": user.role.value if user else "",
             "note": note}
    case.history = [*case.history, entry]
    case.updated_at = now or utcnow()


def _emit(session: Session, case: LetterCase, payload: c.Payload) -> None:
    """The step is done: its event goes out, and the claim that guarded it is let go, so the
    next hand (the unit, the centre's reviewer) finds the letter free."""
    case.claimed_by = case.claim_expires_at = None
    outbox.emit(session, payload.event(f"letter/{case.letter_id}"))


# --- the actions -----------------------------------------------------------------------------

class Actions:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.db = desk.ctx.db

    def assign(self, user: Principal, letter_id: int, unit_slug: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_centre(user)
            _require_state(case, CaseState.RECEIVED, doing="转办")
            _claim_conflict(session, case, user, now)
            unit = _unit(session, unit_slug, "办理单位")
            today = self.desk.today(now)
            case.state, case.unit, case.assigned_on = CaseState.ASSIGNED, unit.slug, today
            case.due = self.desk.due_from(case.type, today)
            case.escalated_at = None
            _note(case, user, "assign", f"转交{unit.name}办理，{case.due.month}月{case.due.day}"
                                        f"日前答复", now)
            audit.record(session, user, "letter.assign", f"letter/{letter_id}", unit=unit.slug)
            _emit(session, case, c.LetterAssigned(**ref(case), unit=unit.slug, due=case.due,
                                                  by=user.name))
            return case

    def decline(self, user: Principal, letter_id: int, reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_centre(user)
            reason = _text(reason, "不予受理的理由")
            _require_state(case, CaseState.RECEIVED, doing="不予受理")
            _claim_conflict(session, case, user, now)
            case.state = CaseState.DECLINED
            _note(case, user, "decline", reason, now)
            audit.record(session, user, "letter.decline", f"letter/{letter_id}", reason)
            _emit(session, case, c.LetterDeclined(**ref(case), reason=reason))
            return case

    def send_back(self, user: Principal, letter_id: int, reason: str,
                  suggest: str | None) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_handling_unit(user, case)
            reason = _text(reason, "退回理由")
            suggested = _unit(session, suggest, "建议的办理单位")
            _require_state(case, CaseState.ASSIGNED, doing="退回")
            _claim_conflict(session, case, user, now)
            unit = case.unit or ""
            case.state, case.unit, case.suggested_unit = CaseState.RECEIVED, None, suggested.slug
            case.due = case.assigned_on = None
            _note(case, user, "send_back", f"{reason}（建议由{suggested.name}办理）", now)
            audit.record(session, user, "letter.send_back", f"letter/{letter_id}", reason,
                         suggest=suggested.slug)
            _emit(session, case, c.LetterSentBack(**ref(case), unit=unit, reason=reason,
                                                  suggest=suggested.slug))
            return case

    def pause(self, user: Principal, letter_id: int, question: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_handling_unit(user, case)
            question = _text(question, "需要来信人补充的内容")
            _require_state(case, CaseState.ASSIGNED, doing="挂起")
            _claim_conflict(session, case, user, now)
            case.state, case.paused_on, case.question = CaseState.PAUSED, self.desk.today(now), \
                question
            _note(case, user, "pause", question, now)
            audit.record(session, user, "letter.pause", f"letter/{letter_id}", question)
            _emit(session, case, c.LetterPaused(**ref(case), unit=case.unit or "",
                                                question=question))
            return case

    def request_extension(self, user: Principal, letter_id: int, days: int,
                          reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_handling_unit(user, case)
            reason = _text(reason, "延期理由")
            if not 0 < days <= MAX_EXTENSION_DAYS:
                raise Invalid(f"延期天数须为 1 到 {MAX_EXTENSION_DAYS} 个工作日 "
                              f"(days out of range)")
            _require_state(case, CaseState.ASSIGNED, CaseState.PAUSED, doing="申请延期")
            if case.extension_days is not None:
                raise Conflict("已有一项延期申请待信息中心批准 (an extension is already pending)")
            case.extension_days, case.extension_reason = days, reason
            _note(case, user, "extension.request", f"申请延期 {days} 个工作日：{reason}", now)
            audit.record(session, user, "letter.extension.request", f"letter/{letter_id}",
                         reason, days=days)
            return case

    def decide_extension(self, user: Principal, letter_id: int, grant: bool,
                         reason: str = "") -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_centre(user)
            if case.extension_days is None:
                raise Conflict("没有待批准的延期申请 (no extension is pending)")
            _require_state(case, CaseState.ASSIGNED, CaseState.PAUSED, doing="批准延期")
            days, asked = case.extension_days, case.extension_reason or ""
            case.extension_days = case.extension_reason = None
            if not grant:
                case.claimed_by = case.claim_expires_at = None
                _note(case, user, "extension.refuse", reason, now)
                audit.record(session, user, "letter.extension.refuse", f"letter/{letter_id}",
                             reason)
                return case
            assert case.due is not None
            case.due = self.desk.calendar.add_workdays(case.due, days)
            case.escalated_at = None
            _note(case, user, "extension.grant",
                  f"同意延期 {days} 个工作日，至 {case.due.month}月{case.due.day}日", now)
            audit.record(session, user, "letter.extension.grant", f"letter/{letter_id}",
                         reason, days=days)
            _emit(session, case, c.LetterExtended(**ref(case), unit=case.unit or "",
                                                  due=case.due, reason=asked))
            return case

    def answer(self, user: Principal, letter_id: int, text: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_handling_unit(user, case)
            text = _text(text, "答复内容", self.desk.ctx.settings.letter_max_reply_chars)
            _require_state(case, CaseState.ASSIGNED, doing="答复")
            _claim_conflict(session, case, user, now)
            case.state, case.draft_reply, case.answered_on = CaseState.ANSWERED, text, \
                self.desk.today(now)
            _note(case, user, "answer", "", now)
            audit.record(session, user, "letter.answer", f"letter/{letter_id}")
            _emit(session, case, c.LetterAnswered(**ref(case), unit=case.unit or ""))
            return case

    def review(self, user: Principal, letter_id: int, approve: bool, reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_centre(user)
            if not approve:
                reason = _text(reason, "退回答复的理由")
            _require_state(case, CaseState.ANSWERED, doing="审核答复")
            _claim_conflict(session, case, user, now)
            if not approve:
                case.state = CaseState.ASSIGNED
                case.claimed_by = case.claim_expires_at = None  # back to the unit, free
                _note(case, user, "review.return", reason, now)
                audit.record(session, user, "letter.review.return", f"letter/{letter_id}",
                             reason)
                return case
            assert case.due is not None and case.answered_on is not None
            unit = _unit(session, case.unit, "办理单位")
            case.state, case.reply, case.replied_on = CaseState.REPLIED, case.draft_reply, \
                self.desk.today(now)
            publication = self._publication(case, unit.name) if case.consent else None
            case.published = case.published or publication is not None
            _note(case, user, "review.approve", reason, now)
            audit.record(session, user, "letter.review.approve", f"letter/{letter_id}", reason)
            _emit(session, case, c.LetterReplied(
                **ref(case), unit=unit.slug, reply=case.reply or "",
                answered_on=case.answered_on, due=case.due,
                on_time=case.answered_on <= case.due, publication=publication))
            return case

    @staticmethod
    def _publication(case: LetterCase, unit_name: str) -> c.LetterPublication:
        hide = {"name": case.name, "phone": case.phone, "email": case.email,
                "enterprise": "" if case.show_enterprise else case.enterprise}
        return c.LetterPublication(
            subject=redact(case.subject, **hide), body=redact(case.body, **hide),
            reply=redact(case.reply or "", **hide), unit_name=unit_name,
            enterprise=case.enterprise if case.show_enterprise else "")

    def retract(self, user: Principal, letter_id: int, reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _require_centre(user)
            reason = _text(reason, "撤下的理由")
            if not case.published:
                raise Conflict("该来信没有公开 (the letter is not published)")
            case.published = False
            _note(case, user, "retract", reason, now)
            audit.record(session, user, "letter.retract", f"letter/{letter_id}", reason)
            _emit(session, case, c.LetterRetracted(**ref(case), reason=reason))
            return case

    # --- claims ------------------------------------------------------------------------------

    def claim(self, user: Principal, letter_id: int) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _claim_conflict(session, case, user, now)
            renewal = case.claimed_by == user.id and case.claim_expires_at is not None \
                and case.claim_expires_at > now
            case.claimed_by = user.id
            case.claim_expires_at = now + dt.timedelta(
                minutes=self.desk.ctx.settings.claim_minutes)
            if not renewal:
                audit.record(session, user, "letter.claim", f"letter/{letter_id}",
                             expires_at=case.claim_expires_at.isoformat())
            return case

    def release(self, user: Principal, letter_id: int) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            _claim_conflict(session, case, user, now)
            if case.claimed_by == user.id:
                case.claimed_by = case.claim_expires_at = None
                audit.record(session, user, "letter.claim.release", f"letter/{letter_id}")
            return case
