"""Turning events into ledger lines by the rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scoring.ledger import book, periods_of
from scoring.models import ScoredItem
from scoring.rules import Rules
from services import outbox
from services.context import Context
from services.events import Event, EventType
from services.inbox import Subscription


class Scoring:
    def __init__(self, ctx: Context, rules: Rules) -> None:
        self.ctx = ctx
        self.rules = rules
        self.timezone = ctx.settings.timezone

    def _item(self, session: Session, data: dict[str, Any], event: Event) -> ScoredItem:
        """Scoring's record of the item, made from whichever event arrives first."""
        item = session.get(ScoredItem, data["submission"], with_for_update=True)
        if item is None:
            month, _ = periods_of(event.time, self.timezone)
            item = ScoredItem(submission_id=data["submission"], kind=data["kind"],
                              unit_slug=data["unit"], unit_kind=data.get("unit_kind") or "",
                              informant_id=data["informant"], month=month,
                              received_at=event.time)
            session.add(item)
            session.flush()
        return item

    def _book(self, session: Session, event: Event, item: ScoredItem, rule: str,
              points: int, note: str = "") -> None:
        line = book(session, event, rule, points, rules_version=self.rules.version,
                    unit=item.unit_slug, informant=item.informant_id,
                    submission=item.submission_id, timezone=self.timezone, note=note)
        if line is None:
            return
        item.earned += points
        outbox.emit(session, Event(
            type=EventType.SCORE_CHANGED, subject=f"unit/{item.unit_slug}",
            data={"seq": line.seq, "unit": item.unit_slug, "informant": item.informant_id,
                  "submission": item.submission_id, "rule": rule, "points": points,
                  "cause": event.id}))

    def received(self, session: Session, event: Event) -> None:
        item = self._item(session, event.data, event)
        item.month, _ = periods_of(event.time, self.timezone)  # an earlier event may have guessed
        original_id = event.data.get("revision_of")
        if original_id is not None:
            original = session.get(ScoredItem, original_id)
            if original is not None:  # the revision counts toward the quota, not both
                original.superseded = True

    def rejected(self, session: Session, event: Event) -> None:
        item = self._item(session, event.data, event)
        item.status = "rejected"
        if item.earned:
            self._book(session, event, item, "reversal.rejected", -item.earned,
                       "不予采用，冲销已得分")

    def returned(self, session: Session, event: Event) -> None:
        self._item(session, event.data, event).status = "returned"

    def published(self, session: Session, event: Event) -> None:
        item = self._item(session, event.data, event)
        if item.status == "published":
            return
        item.status = "published"
        points = self.rules.published_points(item.kind)
        kind_name = "文章" if item.kind == "article" else "图片"
        self._book(session, event, item, f"published.{item.kind}", points,
                   f"门户网站采用{kind_name}")

    def retracted(self, session: Session, event: Event) -> None:
        item = self._item(session, event.data, event)
        item.status = "retracted"
        if item.earned:
            self._book(session, event, item, "reversal.retracted", -item.earned,
                       "撤稿，冲销该稿所得分")


def subscription(ctx: Context, rules: Rules) -> Subscription:
    scoring = Scoring(ctx, rules)
    return Subscription(consumer="scoring", handlers={
        EventType.RECEIVED: scoring.received,
        EventType.REJECTED: scoring.rejected,
        EventType.RETURNED: scoring.returned,
        EventType.PUBLISHED: scoring.published,
        EventType.RETRACTED: scoring.retracted,
    })
