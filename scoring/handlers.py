"""Scoring's consumer: each event about an item is kept as a fact, and the lines the engine
gives for it are booked, all in the inbox's transaction (so a redelivery changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from scoring import engine, facts
from scoring.commissions import check_topic
from scoring.ledger import apply_totals, book, collect_totals
from scoring.models import ScoredItem
from scoring.rules import Rules
from scoring.world import BatchWorld, DbWorld
from services.context import Context
from services.contracts import read
from services.contracts.submissions import SubmissionId, SubmissionRef
from services.db import utcnow
from services.events import Event, InvalidEvent
from services.inbox import Subscription

WORLD = "baosong.scoring.world"  # the batch's world, in its transaction's session


class Scoring:
    def __init__(self, ctx: Context, rules: Rules) -> None:
        self.rules = rules
        self.timezone = ctx.settings.timezone

    def start(self, session: Session, events: Sequence[Event]) -> None:
        """A batch begins: what its items are, and what the ledger holds for them, read once."""
        collect_totals(session)  # summed for the whole batch, and moved at its end
        submissions = [SubmissionId(int(e.data["submission"])) for e in events
                       if isinstance(e.data.get("submission"), int)]
        session.info[WORLD] = BatchWorld(session, submissions)

    def handle(self, session: Session, event: Event) -> None:
        payload = read(event)
        if not isinstance(payload, SubmissionRef):
            raise InvalidEvent(f"scoring keeps no fact of {event.type}")
        fact = facts.record(session, event.id, event.type, event.time, engine.fact_data(payload))
        world: DbWorld = session.info.get(WORLD) or DbWorld(session)
        item = engine.apply(world, fact, self.timezone)
        if item is None:
            return
        entitled = engine.entitlements(world, item, self.rules)
        for line in engine.reconcile(item, entitled, world.booked(item.submission_id)):
            book(session, fact_id=fact.id, fact_type=fact.type, line=line, at=fact.at,
                 rules=self.rules, timezone=self.timezone,
                 item=item if isinstance(item, ScoredItem) else None)
            if isinstance(world, BatchWorld):
                world.booking(line.submission, line.rule, line.points)
        if item.topic is not None:
            # an answer that fails after the deadline may leave its unit with nothing delivered
            topic = world.topic(item.topic)
            if topic is not None and utcnow() > topic.deadline:
                check_topic(session, topic, self.rules, self.timezone, utcnow())


def subscription(ctx: Context, rules: Rules) -> Subscription:
    scoring = Scoring(ctx, rules)
    return Subscription(consumer="scoring",
                        handlers=dict.fromkeys(engine.ITEM_FACTS, scoring.handle),
                        batch=ctx.settings.score_batch, start=scoring.start,
                        finish=apply_totals)
