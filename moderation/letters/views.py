"""How a case reads in the letter API: the list row, and the whole case for those who handle it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from moderation.letters.desk import STATE_LABELS, Desk
from moderation.letters.models import CaseState, LetterCase
from services.contracts.letters import RATING_LABELS, TYPE_LABELS


def is_overdue(case: LetterCase, today: dt.date) -> bool:
    return case.state == CaseState.ASSIGNED and case.due is not None and case.due < today


def is_near(desk: Desk, case: LetterCase, today: dt.date) -> bool:
    if case.state != CaseState.ASSIGNED or case.due is None or case.due < today:
        return False
    return desk.calendar.workdays_between(today, case.due) <= desk.ctx.settings.letter_near_days


def row(desk: Desk, case: LetterCase, today: dt.date, units: dict[str, str],
        names: dict[int, str], now: dt.datetime) -> dict[str, Any]:
    claimed = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
    return {
        "id": case.letter_id, "code": case.code, "type": case.type,
        "type_label": TYPE_LABELS[case.type], "status": case.state,
        "status_label": STATE_LABELS[CaseState(case.state)], "subject": case.subject,
        "unit": case.unit, "unit_name": units.get(case.unit or "", ""),
        "suggested_unit": case.suggested_unit,
        "received": case.received_at.isoformat(),
        "due": case.due.isoformat() if case.due else None,
        "overdue": is_overdue(case, today), "near": is_near(desk, case, today),
        "escalated": case.escalated_at is not None,
        "findings": len(case.findings),
        "blocked": any(f.get("action") == "block" for f in case.findings),
        "extension_requested": case.extension_days,
        "reopened": case.reopened, "rating": case.rating,
        "rating_label": RATING_LABELS.get(case.rating or ""),
        "consent": case.consent, "published": case.published,
        "claimed_by": claimed, "claimed_by_name": names.get(claimed, "") if claimed else "",
        "claim_expires_at": case.claim_expires_at.isoformat()
        if claimed and case.claim_expires_at else None,
    }


def detail(desk: Desk, case: LetterCase, today: dt.date, units: dict[str, str],
           names: dict[int, str], now: dt.datetime) -> dict[str, Any]:
    """The whole case, with the writer's contact details: only for the centre and the unit."""
    return {
        **row(desk, case, today, units, names, now),
        "body": case.body, "findings_list": case.findings,
        "contact": {"name": case.name, "phone": case.phone, "email": case.email},
        "enterprise": case.enterprise, "show_enterprise": case.show_enterprise,
        "writer_unit": case.writer_unit,
        "attachments": [{"position": i, "filename": a.get("filename"),
                         "content_type": a.get("content_type"), "bytes": a.get("bytes"),
                         "url": f"/api/letters/{case.letter_id}/attachments/{i}"}
                        for i, a in enumerate(case.attachments)],
        "question": case.question, "supplement": case.supplement,
        "extension_reason": case.extension_reason,
        "draft_reply": case.draft_reply, "reply": case.reply,
        "answered_on": case.answered_on.isoformat() if case.answered_on else None,
        "history": case.history,
    }
