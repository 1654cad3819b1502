"""约稿 (commissioned topics): asking chosen units for a piece by a deadline, and the penalty
for a unit that delivers nothing.

An answer counts as delivered when it was received by the deadline (a revision from when its
original was received) and is not rejected, retracted or a duplicate. When the deadline has
passed, a unit with no such answer loses ``commission.missed_penalty`` points; a unit whose
answers are all still undecided is looked at again, and penalised once the last of them fails.
The first published answer of each unit earns ``commission.delivered_bonus`` (the engine books
it with the item's points).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import engine, facts
from scoring.engine import COMMISSION_MISSED, Topic
from scoring.ledger import book
from scoring.models import ScoredItem, TopicRow, TopicUnit
from scoring.rules import Rules
from scoring.world import all_topics
from services import outbox
from services.contracts.topics import TopicCreated
from services.db import utcnow


def create_topic(session: Session, *, title: str, description: str, deadline: dt.datetime,
                 units: list[str], by: int | None) -> TopicRow:
    """The topic, and ``topic.created`` for ingest (which checks answers against it)."""
    row = TopicRow(title=title, description=description, deadline=deadline, created_by=by)
    session.add(row)
    session.flush()
    for slug in sorted(set(units)):
        session.add(TopicUnit(topic_id=row.id, unit_slug=slug))
    outbox.emit(session, TopicCreated(topic=str(row.id), title=title, deadline=deadline,
                                      units=sorted(set(units))).event(f"topic/{row.id}"))
    return row


def _alive(item: ScoredItem, topic: Topic) -> bool:
    return (not item.superseded and item.status not in engine.FINAL
            and item.duplicate_of is None and engine.in_time(item, topic))


def unit_status(session: Session, topic: Topic, unit: str,
                now: dt.datetime) -> tuple[str, list[ScoredItem]]:
    """``delivered``, ``pending`` (answers not yet decided), ``open`` (before the deadline,
    nothing yet), ``missed`` (penalised) or ``failed`` (deadline passed, nothing alive: due a
    penalty)."""
    answers = list(session.scalars(sa.select(ScoredItem).where(
        ScoredItem.topic == topic.id, ScoredItem.unit_slug == unit)
        .order_by(ScoredItem.submission_id)))
    if facts.exists(session, f"commission-missed:{topic.id}:{unit}"):
        return "missed", answers
    alive = [a for a in answers if _alive(a, topic)]
    if any(a.status == "published" for a in alive):
        return "delivered", answers
    if alive:
        return "pending", answers
    return ("failed" if now > topic.deadline else "open"), answers


def check_topic(session: Session, topic: Topic, rules: Rules, timezone: str,
                now: dt.datetime) -> list[str]:
    """Penalise each unit of a topic whose deadline passed with nothing delivered; return them."""
    if now <= topic.deadline:
        return []
    penalised = []
    for unit in sorted(topic.units):
        status, _ = unit_status(session, topic, unit, now)
        if status != "failed":
            continue
        fact_id = f"commission-missed:{topic.id}:{unit}"  # unit_status saw none recorded
        fact = facts.record(session, fact_id, COMMISSION_MISSED, topic.deadline,
                            {"topic": topic.id, "title": topic.title, "unit": unit})
        for line in engine.unit_fact_lines(fact, rules):
            book(session, fact_id=fact_id, fact_type=COMMISSION_MISSED, line=line,
                 at=topic.deadline, rules=rules, timezone=timezone)
        penalised.append(unit)
    return penalised


def check_deadlines(session: Session, rules: Rules, timezone: str,
                    now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Every topic whose deadline has passed; return the (topic, unit) pairs penalised now."""
    now = now or utcnow()
    out = []
    for topic in all_topics(session).values():
        for unit in check_topic(session, topic, rules, timezone, now):
            out.append((topic.id, unit))
    return out


def to_public(session: Session, topic: Topic, row: TopicRow, names: dict[str, Any],
              now: dt.datetime) -> dict[str, Any]:
    units = []
    for slug in sorted(topic.units):
        status, answers = unit_status(session, topic, slug, now)
        unit = names.get(slug)
        units.append({"unit": slug, "name": unit.name if unit else slug, "status": status,
                      "answers": [a.submission_id for a in answers]})
    return {"id": topic.id, "title": topic.title, "description": row.description,
            "deadline": topic.deadline.isoformat(), "open": now <= topic.deadline,
            "created_at": row.created_at.isoformat(), "units": units}
