"""Claims: a moderator who opens an item holds it for a while, so no two editors decide it.

A claim is a lease (``claimed_by`` until ``claim_expires_at``), not a lock: a moderator who
closes the laptop loses it after ``settings.claim_minutes`` and the item is free again. The
holder renews it while the item stays open. Taking a claim and letting it go are on the audit
log; renewals are not (they would bury the decisions).

Separation of duties lives here too: nobody holds or decides an item from their own unit, or
one they sent themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from moderation.models import Review, ReviewState
from services import audit, duties
from services.context import Context
from services.db import utcnow
from services.identity import Principal, user_names
from services.refusals import Conflict, Forbidden, NotFound


def is_active(review: Review, now: dt.datetime) -> bool:
    return bool(review.claimed_by and review.claim_expires_at and review.claim_expires_at > now)


def holder(review: Review, now: dt.datetime) -> int | None:
    return review.claimed_by if is_active(review, now) else None


def recusal(review: Review, user: Principal) -> str | None:
    """Why ``user`` may not decide ``review`` (None if they may)."""
    return duties.recusal(user, review.unit_slug, review.content.get("informant"))


def refuse_if_recused(review: Review, user: Principal) -> None:
    reason = recusal(review, user)
    if reason:
        raise Forbidden(reason)


def held_by_other(review: Review, user: Principal, now: dt.datetime,
                  names: dict[int, str] | None = None) -> Conflict | None:
    """The conflict to answer when someone else holds the claim on ``review``."""
    other = holder(review, now)
    if other is None or other == user.id:
        return None
    name = (names or {}).get(other, f"#{other}")
    until = review.claim_expires_at.isoformat() if review.claim_expires_at else ""
    return Conflict(f"该稿件正由审核员 {name} 处理（至 {until}） "
                    f"(claimed by another moderator)")


def lock_flagged(session: Session, user: Principal, submission_id: int, now: dt.datetime,
                 doing: str) -> Review:
    """The flagged review ``user`` may act on now, locked for this transaction; or the refusal:
    not found (no such item), forbidden (recused), conflict (decided already, or claimed by
    someone else)."""
    review = session.get(Review, submission_id, with_for_update=True)
    if review is None:
        raise NotFound.of("待审稿件")
    refuse_if_recused(review, user)
    if review.state != ReviewState.FLAGGED:
        raise Conflict(f"该稿件已处理（{review.state}），{doing} "
                       f"(already decided: {review.state})")
    conflict = held_by_other(review, user, now, user_names(session))
    if conflict:
        raise conflict
    return review


@dataclass(frozen=True)
class ClaimState:
    submission: int
    claimed_by: int | None
    claimed_by_name: str
    expires_at: dt.datetime | None

    def to_public(self) -> dict[str, Any]:
        return {"id": self.submission, "claimed_by": self.claimed_by,
                "claimed_by_name": self.claimed_by_name,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None}


def claim(ctx: Context, user: Principal, submission_id: int) -> ClaimState:
    """Take (or renew) the claim on a flagged item for ``user``."""
    now = utcnow()
    with ctx.db.transaction() as session:
        review = lock_flagged(session, user, submission_id, now, "无需认领")
        renewal = holder(review, now) == user.id
        lapsed = None if renewal or review.claimed_by is None else review.claimed_by
        review.claimed_by = user.id
        review.claim_expires_at = now + dt.timedelta(minutes=ctx.settings.claim_minutes)
        if not renewal:
            details: dict[str, Any] = {"expires_at": review.claim_expires_at.isoformat()}
            if lapsed is not None:  # someone's claim ran out: say whose it was
                details["lapsed_claim_of"] = lapsed
            audit.record(session, user, "claim", f"submission/{submission_id}", **details)
        return ClaimState(submission_id, user.id, user.name, review.claim_expires_at)


def release(ctx: Context, user: Principal, submission_id: int) -> ClaimState:
    """Let go of one's own claim (someone else's is left alone: it runs out by itself)."""
    now = utcnow()
    with ctx.db.transaction() as session:
        review = session.get(Review, submission_id, with_for_update=True)
        if review is None:
            raise NotFound.of("待审稿件")
        names = user_names(session)
        conflict = held_by_other(review, user, now, names)
        if conflict:
            raise conflict
        if holder(review, now) == user.id:
            review.claimed_by = review.claim_expires_at = None
            audit.record(session, user, "claim.release", f"submission/{submission_id}")
        return ClaimState(submission_id, None, "", None)
