"""Moderation's consumer of letters: screening what arrives, and the writer's answers.

A letter is screened with the same screener as submissions. The writer's own contact fields
are what the centre needs to call back, so contact patterns do not apply to them (only the
lexicon does), and the writer's own phone or e-mail quoted in the text is no advertising.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from sqlalchemy.orm import Session

from moderation.letters.desk import Desk, note, ref
from moderation.letters.models import CaseState, LetterCase
from moderation.lexicon import Lexicon
from moderation.text import TextScreener
from services import outbox
from services.contracts import letters as c
from services.events import Event
from services.inbox import Subscription

log = logging.getLogger(__name__)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def screen(screener: TextScreener, p: c.LetterReceived) -> list[dict[str, Any]]:
    own = {_digits(p.phone), p.email.lower()} - {""}
    findings: list[dict[str, Any]] = []
    for field, text in (("subject", p.subject), ("body", p.body)):
        for finding in screener.screen_field(field, text):
            data = finding.to_dict()
            if str(data.get("rule", "")).startswith("pattern:") and (
                    _digits(str(data.get("match", ""))) in own
                    or str(data.get("match", "")).lower() in own):
                continue  # the writer's own number in their own letter
            findings.append(data)
    for field, text in (("name", p.name), ("enterprise", p.enterprise)):
        findings.extend(f.to_dict() for f in screener.screen_field(field, text)
                        if f.rule == "lexicon")
    return findings


class LetterConsumer:
    def __init__(self, desk: Desk, lexicon: Lexicon) -> None:
        self.desk = desk
        self.lexicon = lexicon

    def received(self, session: Session, event: Event) -> None:
        p = c.LetterReceived.of(event)
        if session.get(LetterCase, p.letter) is not None:
            return
        findings = screen(self.lexicon.screener(), p)
        case = LetterCase(
            letter_id=p.letter, code=p.code, type=p.type, subject=p.subject, body=p.body,
            name=p.name, phone=p.phone, email=p.email, enterprise=p.enterprise,
            show_enterprise=p.show_enterprise, consent=p.consent, writer_unit=p.writer_unit,
            attachments=[a.model_dump() for a in p.attachments], findings=findings,
            received_at=p.received_at, state=CaseState.RECEIVED, history=[])
        blocking = [f for f in findings if f.get("action") == "block"]
        note(case, None, "received",
              f"筛查发现 {len(findings)} 处，其中 {len(blocking)} 处禁用词" if findings
              else "筛查未发现问题", event.time)
        session.add(case)

    def supplemented(self, session: Session, event: Event) -> None:
        p = c.LetterSupplemented.of(event)
        case = session.get(LetterCase, p.letter, with_for_update=True)
        if case is None or case.state != CaseState.PAUSED:
            return
        now = self.desk.now()
        today = self.desk.today(now)
        assert case.due is not None and case.paused_on is not None
        stopped = self.desk.calendar.workdays_between(case.paused_on, today)
        case.due = self.desk.calendar.add_workdays(case.due, stopped)
        case.state, case.supplement, case.paused_on = CaseState.ASSIGNED, p.text, None
        note(case, None, "supplemented", f"来信人补充：{p.text}", now)
        outbox.emit(session, c.LetterResumed(**ref(case), unit=case.unit or "", due=case.due)
                    .event(f"letter/{case.letter_id}"))

    def rated(self, session: Session, event: Event) -> None:
        p = c.LetterRated.of(event)
        case = session.get(LetterCase, p.letter, with_for_update=True)
        if case is None or case.state != CaseState.REPLIED:
            return
        case.rating = p.rating
        now = self.desk.now()
        if p.rating == "unsatisfied" and case.reopened == 0:
            today = self.desk.today(now)
            case.reopened += 1
            case.state, case.assigned_on = CaseState.ASSIGNED, today
            case.due = self.desk.due_from(case.type, today)
            case.draft_reply = case.answered_on = None
            case.escalated_at = None
            note(case, None, "reopen", "来信人不满意，发回重办", now)
            outbox.emit(session, c.LetterReopened(**ref(case), unit=case.unit or "",
                                                  due=case.due)
                        .event(f"letter/{case.letter_id}"))
            return
        close(session, case, p.rating, by_default=False, now=now)


def close(session: Session, case: LetterCase, rating: str, *, by_default: bool,
          now: dt.datetime) -> None:
    case.state, case.rating = CaseState.CLOSED, rating
    note(case, None, "close", "逾期未评价，视为满意" if by_default else
          f"来信人评价：{c.RATING_LABELS[rating]}", now)
    outbox.emit(session, c.LetterClosed(**ref(case), unit=case.unit or "",
                                        rating=rating,  # type: ignore[arg-type]
                                        by_default=by_default)
                .event(f"letter/{case.letter_id}"))


def subscription(desk: Desk, lexicon: Lexicon) -> Subscription:
    consumer = LetterConsumer(desk, lexicon)
    return Subscription(consumer="moderation-letters", handlers={
        c.LetterReceived.TYPE: consumer.received,
        c.LetterSupplemented.TYPE: consumer.supplemented,
        c.LetterRated.TYPE: consumer.rated,
    })
