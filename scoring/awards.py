"""Adoption by a higher outlet and leader instructions, as moderators and admins record them.

Each record is a row (one per item and level, so a second report of the same thing is a
conflict) and an event through the outbox, which scoring's consumer scores like any other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from scoring.models import Award, ScoredItem
from scoring.rules import LEVEL_NAMES
from services import audit, duties, outbox
from services.context import Context
from services.contracts.submissions import Adopted, Instructed, SubmissionRef
from services.identity import Principal, Role, require_role
from services.refusals import Conflict, Invalid, NotFound


def record(ctx: Context, user: Principal, submission_id: int, kind: str, level: str,
           source: str, levels: dict[str, int]) -> dict[str, Any]:
    """Record an ``adoption`` or an ``instruction`` at ``level`` (one of ``levels``, from the
    rules) for a published item, and send its event."""
    require_role(user, Role.MODERATOR, Role.ADMIN)
    level = level.strip()
    if level not in levels:
        names = "、".join(levels)
        raise Invalid(f"level 须为 {names} 之一 (level must be one of: {', '.join(levels)})")
    what = "采用" if kind == "adoption" else "领导批示"
    with ctx.db.transaction() as session:
        item = session.get(ScoredItem, submission_id)
        if item is None:
            raise NotFound.of("稿件")
        duties.refuse_if_recused(user, item.unit_slug, item.informant_id)
        if item.status != "published":
            raise Conflict(f"只有已发布的稿件才能登记{what}，该稿件状态为 {item.status} "
                           f"(only a published item can be recorded as {kind})")
        known = session.scalar(sa.select(Award.event_id).where(
            Award.submission_id == submission_id, Award.kind == kind, Award.level == level))
        if known is not None:
            raise Conflict(f"该稿件的{LEVEL_NAMES.get(level, level)}{what}已登记 "
                           f"({kind} at level {level} already recorded)")
        ref = SubmissionRef(submission=item.submission_id, kind=item.kind, unit=item.unit_slug,
                            unit_kind=item.unit_kind, informant=item.informant_id,
                            topic=item.topic, revision_of=item.revision_of)
        award: Adopted | Instructed = (
            Adopted.about(ref, level=level, outlet=source, recorded_by=user.id)
            if kind == "adoption"
            else Instructed.about(ref, level=level, by=source, recorded_by=user.id))
        event = outbox.emit(session, award.event())
        session.add(Award(submission_id=submission_id, kind=kind, level=level, source=source,
                          event_id=event.id, recorded_by=user.id))
        audit.record(session, user, kind, f"submission/{submission_id}", source, level=level)
    return {"submission": submission_id, "kind": kind, "level": level, "source": source,
            "event": event.id, "status": "recorded"}
