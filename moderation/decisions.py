"""A moderator's decision on a flagged item: approve, reject, or return for revision.

Every decision is checked against who holds the claim (a conflict), separation of duties
(forbidden) and the content the moderator saw: a decision may name the ``content_hash`` it was
made on, and is refused (a conflict) if that is not what was screened. The approval event
carries the screened hash as ``approved_hash``; a submission's content never changes after it is
received (an edit is a new revision, screened and decided anew), so what the publisher renders
is what was approved.

Refusals are plain exceptions (:mod:`services.refusals`), so a command or a job decides just as
the queue page does; only the HTTP edge turns them into status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moderation.claims import lock_flagged
from moderation.handlers import decision_event
from moderation.models import ReviewState
from services import audit, outbox
from services.context import Context
from services.db import utcnow
from services.identity import Principal
from services.refusals import Conflict, Invalid, Refusal

ACTION_STATES = {"approve": ReviewState.APPROVED, "reject": ReviewState.REJECTED,
                 "return": ReviewState.RETURNED}


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str = ""
    content_hash: str | None = None


def decide(ctx: Context, user: Principal, submission_id: int, decision: Decision, *,
           bulk: bool = False) -> dict[str, Any]:
    reason = decision.reason.strip()
    if decision.action not in ACTION_STATES:
        raise Invalid("action 须为 approve、reject 或 return (unknown action)")
    if decision.action != "approve" and not reason:
        raise Invalid("不予采用或退回修改时须写明理由 (a reason is required)")
    state = ACTION_STATES[decision.action]
    now = utcnow()
    with ctx.db.transaction() as session:
        review = lock_flagged(session, user, submission_id, now, "不能再次决定")
        screened_hash = review.content.get("content_hash")
        if decision.content_hash is not None and decision.content_hash != screened_hash:
            raise Conflict("稿件内容与您审阅的版本不一致，请刷新后重新审阅 "
                           "(content changed since you saw it)")
        review.state = state
        review.decided_by, review.decided_at, review.reason = user.id, now, reason or None
        review.claimed_by = review.claim_expires_at = None
        outbox.emit(session, decision_event(review, state, by=f"user:{user.id}", reason=reason))
        details: dict[str, Any] = {"content_hash": screened_hash,
                                   "findings": len(review.findings),
                                   "lexicon_version": review.lexicon_version}
        if bulk:
            details["bulk"] = True
        audit.record(session, user, f"decision.{decision.action}", f"submission/{submission_id}",
                     reason, **details)
    return {"id": submission_id, "status": state.value, "reason": reason}


@dataclass(frozen=True)
class Outcome:
    """What became of one item of a bulk decision: decided, or the refusal that stopped it."""

    submission: int
    decided: dict[str, Any] | None = None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def decide_many(ctx: Context, user: Principal, items: list[tuple[int, str | None]], action: str,
                reason: str) -> list[Outcome]:
    """Each item decided on its own: one refused item does not hold back the others."""
    outcomes = []
    for submission_id, content_hash in items:
        try:
            done = decide(ctx, user, submission_id, Decision(action, reason, content_hash),
                          bulk=True)
            outcomes.append(Outcome(submission_id, decided=done))
        except Refusal as refusal:
            outcomes.append(Outcome(submission_id, refusal=refusal))
    return outcomes
