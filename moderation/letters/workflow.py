"""What the centre and the handling units do with a letter.

Every action locks the case, checks who may do it in which state (refusals say why), changes
the case, writes its history and the audit log, and emits its event, all in one transaction.
Someone else's open claim on the letter refuses the action (409), as in the moderator queue.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from moderation.letters.access import (
    claim_conflict,
    require_centre,
    require_handling_unit,
    require_state,
    visible_case,
)
from moderation.letters.desk import Desk, emit, note, ref
from moderation.letters.models import CaseState, LetterCase
from moderation.letters.redact import redact
from services import audit
from services.contracts import letters as c
from services.identity import Principal, Unit
from services.refusals import Conflict, Invalid

MAX_REASON = 2000
MAX_EXTENSION_DAYS = 30


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


# --- the actions -----------------------------------------------------------------------------

class Actions:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.db = desk.ctx.db

    def assign(self, user: Principal, letter_id: int, unit_slug: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_centre(user)
            require_state(case, CaseState.RECEIVED, doing="转办")
            claim_conflict(session, case, user, now)
            unit = _unit(session, unit_slug, "办理单位")
            today = self.desk.today(now)
            case.state, case.unit, case.assigned_on = CaseState.ASSIGNED, unit.slug, today
            case.due = self.desk.due_from(case.type, today)
            case.escalated_at = None
            note(case, user, "assign", f"转交{unit.name}办理，{case.due.month}月{case.due.day}"
                                        f"日前答复", now)
            audit.record(session, user, "letter.assign", f"letter/{letter_id}", unit=unit.slug)
            emit(session, case, c.LetterAssigned(**ref(case), unit=unit.slug, due=case.due,
                                                  by=user.name))
            return case

    def decline(self, user: Principal, letter_id: int, reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_centre(user)
            reason = _text(reason, "不予受理的理由")
            require_state(case, CaseState.RECEIVED, doing="不予受理")
            claim_conflict(session, case, user, now)
            case.state = CaseState.DECLINED
            note(case, user, "decline", reason, now)
            audit.record(session, user, "letter.decline", f"letter/{letter_id}", reason)
            emit(session, case, c.LetterDeclined(**ref(case), reason=reason))
            return case

    def send_back(self, user: Principal, letter_id: int, reason: str,
                  suggest: str | None) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_handling_unit(user, case)
            reason = _text(reason, "退回理由")
            suggested = _unit(session, suggest, "建议的办理单位")
            require_state(case, CaseState.ASSIGNED, doing="退回")
            claim_conflict(session, case, user, now)
            unit = case.unit or ""
            case.state, case.unit, case.suggested_unit = CaseState.RECEIVED, None, suggested.slug
            case.due = case.assigned_on = None
            note(case, user, "send_back", f"{reason}（建议由{suggested.name}办理）", now)
            audit.record(session, user, "letter.send_back", f"letter/{letter_id}", reason,
                         suggest=suggested.slug)
            emit(session, case, c.LetterSentBack(**ref(case), unit=unit, reason=reason,
                                                  suggest=suggested.slug))
            return case

    def pause(self, user: Principal, letter_id: int, question: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_handling_unit(user, case)
            question = _text(question, "需要来信人补充的内容")
            require_state(case, CaseState.ASSIGNED, doing="挂起")
            claim_conflict(session, case, user, now)
            case.state, case.paused_on, case.question = CaseState.PAUSED, self.desk.today(now), \
                question
            note(case, user, "pause", question, now)
            audit.record(session, user, "letter.pause", f"letter/{letter_id}", question)
            emit(session, case, c.LetterPaused(**ref(case), unit=case.unit or "",
                                                question=question))
            return case

    def request_extension(self, user: Principal, letter_id: int, days: int,
                          reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_handling_unit(user, case)
            reason = _text(reason, "延期理由")
            if not 0 < days <= MAX_EXTENSION_DAYS:
                raise Invalid(f"延期天数须为 1 到 {MAX_EXTENSION_DAYS} 个工作日 "
                              f"(days out of range)")
            require_state(case, CaseState.ASSIGNED, CaseState.PAUSED, doing="申请延期")
            if case.extension_days is not None:
                raise Conflict("已有一项延期申请待信息中心批准 (an extension is already pending)")
            case.extension_days, case.extension_reason = days, reason
            note(case, user, "extension.request", f"申请延期 {days} 个工作日：{reason}", now)
            audit.record(session, user, "letter.extension.request", f"letter/{letter_id}",
                         reason, days=days)
            return case

    def decide_extension(self, user: Principal, letter_id: int, grant: bool,
                         reason: str = "") -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_centre(user)
            if case.extension_days is None:
                raise Conflict("没有待批准的延期申请 (no extension is pending)")
            require_state(case, CaseState.ASSIGNED, CaseState.PAUSED, doing="批准延期")
            days, asked = case.extension_days, case.extension_reason or ""
            case.extension_days = case.extension_reason = None
            if not grant:
                case.claimed_by = case.claim_expires_at = None
                note(case, user, "extension.refuse", reason, now)
                audit.record(session, user, "letter.extension.refuse", f"letter/{letter_id}",
                             reason)
                return case
            assert case.due is not None
            case.due = self.desk.calendar.add_workdays(case.due, days)
            case.escalated_at = None
            note(case, user, "extension.grant",
                  f"同意延期 {days} 个工作日，至 {case.due.month}月{case.due.day}日", now)
            audit.record(session, user, "letter.extension.grant", f"letter/{letter_id}",
                         reason, days=days)
            emit(session, case, c.LetterExtended(**ref(case), unit=case.unit or "",
                                                  due=case.due, reason=asked))
            return case

    def answer(self, user: Principal, letter_id: int, text: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_handling_unit(user, case)
            text = _text(text, "答复内容", self.desk.ctx.settings.letter_max_reply_chars)
            require_state(case, CaseState.ASSIGNED, doing="答复")
            claim_conflict(session, case, user, now)
            case.state, case.draft_reply, case.answered_on = CaseState.ANSWERED, text, \
                self.desk.today(now)
            note(case, user, "answer", "", now)
            audit.record(session, user, "letter.answer", f"letter/{letter_id}")
            emit(session, case, c.LetterAnswered(**ref(case), unit=case.unit or ""))
            return case

    def review(self, user: Principal, letter_id: int, approve: bool, reason: str) -> LetterCase:
        now = self.desk.now()
        with self.db.transaction() as session:
            case = visible_case(session, user, letter_id, lock=True)
            require_centre(user)
            if not approve:
                reason = _text(reason, "退回答复的理由")
            require_state(case, CaseState.ANSWERED, doing="审核答复")
            claim_conflict(session, case, user, now)
            if not approve:
                case.state = CaseState.ASSIGNED
                case.claimed_by = case.claim_expires_at = None  # back to the unit, free
                note(case, user, "review.return", reason, now)
                audit.record(session, user, "letter.review.return", f"letter/{letter_id}",
                             reason)
                return case
            assert case.due is not None and case.answered_on is not None
            unit = _unit(session, case.unit, "办理单位")
            case.state, case.reply, case.replied_on = CaseState.REPLIED, case.draft_reply, \
                self.desk.today(now)
            publication = self._publication(case, unit.name) if case.consent else None
            case.published = case.published or publication is not None
            note(case, user, "review.approve", reason, now)
            audit.record(session, user, "letter.review.approve", f"letter/{letter_id}", reason)
            emit(session, case, c.LetterReplied(
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
            require_centre(user)
            reason = _text(reason, "撤下的理由")
            if not case.published:
                raise Conflict("该来信没有公开 (the letter is not published)")
            case.published = False
            note(case, user, "retract", reason, now)
            audit.record(session, user, "letter.retract", f"letter/{letter_id}", reason)
            emit(session, case, c.LetterRetracted(**ref(case), reason=reason))
            return case
