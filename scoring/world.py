"""The engine's world in the database, inside the handler's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.engine import Item, Topic
from scoring.models import LedgerLine, ScoredItem, TopicRow, TopicUnit
from services.contracts.submissions import SubmissionId


def topic_of(session: Session, topic_id: str) -> Topic | None:
    if not topic_id.isdigit() or len(topic_id) > 18:
        return None
    row = session.get(TopicRow, int(topic_id))
    if row is None:
        return None
    units = session.scalars(sa.select(TopicUnit.unit_slug).where(TopicUnit.topic_id == row.id))
    return Topic(id=str(row.id), title=row.title, deadline=row.deadline, units=frozenset(units))


def all_topics(session: Session) -> dict[str, Topic]:
    units: dict[int, set[str]] = {}
    for topic_id, slug in session.execute(sa.select(TopicUnit.topic_id, TopicUnit.unit_slug)):
        units.setdefault(topic_id, set()).add(slug)
    return {str(t.id): Topic(id=str(t.id), title=t.title, deadline=t.deadline,
                             units=frozenset(units.get(t.id, ())))
            for t in session.scalars(sa.select(TopicRow))}


class DbWorld:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._topics: dict[str, Topic | None] = {}

    def item(self, submission: SubmissionId) -> Item | None:
        return self.session.get(ScoredItem, submission, with_for_update=True)

    def new_item(self, submission: SubmissionId, kind: str, unit: str, unit_kind: str,
                 informant: int, at: dt.datetime, month: str) -> Item:
        item = ScoredItem(submission_id=submission, kind=kind, unit_slug=unit,
                          unit_kind=unit_kind, informant_id=informant, month=month, received_at=at,
                          status="received", superseded=False, earned=0, title="", images=0,
                          adoptions={}, instructions={})
        self.session.add(item)
        self.session.flush()
        return item

    def topic(self, topic_id: str) -> Topic | None:
        if topic_id not in self._topics:
            self._topics[topic_id] = topic_of(self.session, topic_id)
        return self._topics[topic_id]

    def booked(self, submission: SubmissionId) -> dict[str, int]:
        rows = self.session.execute(
            sa.select(LedgerLine.rule, sa.func.sum(LedgerLine.points))
            .where(LedgerLine.submission_id == submission).group_by(LedgerLine.rule))
        return {rule: int(points or 0) for rule, points in rows}

    def commission_holder(self, topic_id: str, unit: str) -> SubmissionId | None:
        held = (sa.select(LedgerLine.submission_id)
                .join(ScoredItem, ScoredItem.submission_id == LedgerLine.submission_id)
                .where(LedgerLine.rule == "commission.delivered", LedgerLine.unit_slug == unit,
                       ScoredItem.topic == topic_id)
                .group_by(LedgerLine.submission_id)
                .having(sa.func.sum(LedgerLine.points) > 0))
        return self.session.scalars(held).first()


class BatchWorld(DbWorld):
    """The world of one batch of events: the items they are about, and what the ledger holds for
    them, read in two statements at the start of the batch and kept in step as its handlers
    change them, so that each event's handler reads memory instead of the database."""

    def __init__(self, session: Session, submissions: Iterable[SubmissionId]) -> None:
        super().__init__(session)
        ids = sorted(set(submissions))
        self._items: dict[SubmissionId, ScoredItem | None] = dict.fromkeys(ids)
        self._booked: dict[SubmissionId, dict[str, int]] = {sid: {} for sid in ids}
        if not ids:
            return
        for item in session.scalars(sa.select(ScoredItem).where(
                ScoredItem.submission_id.in_(ids)).with_for_update()):
            self._items[item.submission_id] = item
        for sid, rule, points in session.execute(
                sa.select(LedgerLine.submission_id, LedgerLine.rule, sa.func.sum(LedgerLine.points))
                .where(LedgerLine.submission_id.in_(ids))
                .group_by(LedgerLine.submission_id, LedgerLine.rule)):
            if sid is not None:
                self._booked[sid][rule] = int(points or 0)

    def item(self, submission: SubmissionId) -> Item | None:
        if submission in self._items:
            return self._items[submission]
        return super().item(submission)

    def new_item(self, submission: SubmissionId, kind: str, unit: str, unit_kind: str,
                 informant: int, at: dt.datetime, month: str) -> Item:
        item = ScoredItem(submission_id=submission, kind=kind, unit_slug=unit,
                          unit_kind=unit_kind, informant_id=informant, month=month, received_at=at,
                          status="received", superseded=False, earned=0, title="", images=0,
                          adoptions={}, instructions={})
        self.session.add(item)
        self._items[submission] = item
        self._booked.setdefault(submission, {})
        return item

    def booked(self, submission: SubmissionId) -> dict[str, int]:
        if submission in self._booked:
            return dict(self._booked[submission])
        return super().booked(submission)

    def booking(self, submission: SubmissionId | None, rule: str, points: int) -> None:
        """A line the batch booked: what ``booked`` says from now on."""
        held = self._booked.get(submission) if submission is not None else None
        if held is not None:
            held[rule] = held.get(rule, 0) + points
