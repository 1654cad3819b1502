"""Claims on letters: whoever opens a letter holds it for ``claim_minutes``, so no two people
act on it at once (a lease, as in the moderator queue). Taking and letting go are audited;
renewals are not. Every step that hands the letter on lets the claim go."""

from __future__ import annotations

import datetime as dt

from moderation.letters.access import claim_conflict, visible_case
from moderation.letters.desk import Desk
from moderation.letters.models import LetterCase
from services import audit
from services.identity import Principal


def claim(desk: Desk, user: Principal, letter_id: int) -> LetterCase:
    now = desk.now()
    with desk.ctx.db.transaction() as session:
        case = visible_case(session, user, letter_id, lock=True)
        claim_conflict(session, case, user, now)
        renewal = case.claimed_by == user.id and case.claim_expires_at is not None \
            and case.claim_expires_at > now
        case.claimed_by = user.id
        case.claim_expires_at = now + dt.timedelta(
            minutes=desk.ctx.settings.claim_minutes)
        if not renewal:
            audit.record(session, user, "letter.claim", f"letter/{letter_id}",
                         expires_at=case.claim_expires_at.isoformat())
        return case


def release(desk: Desk, user: Principal, letter_id: int) -> LetterCase:
    now = desk.now()
    with desk.ctx.db.transaction() as session:
        case = visible_case(session, user, letter_id, lock=True)
        claim_conflict(session, case, user, now)
        if case.claimed_by == user.id:
            case.claimed_by = case.claim_expires_at = None
            audit.record(session, user, "letter.claim.release", f"letter/{letter_id}")
        return case
