"""Which units may answer each 约稿 (commissioned topic), as ``topic.created`` tells ingest.

Scoring owns the topics; ingest keeps this small copy to refuse, at upload, an answer to a topic
it does not know or that was not addressed to the informant's unit.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.contracts.topics import TopicCreated
from services.db import Base, UTCDateTime
from services.events import Event
from services.inbox import Subscription
from services.refusals import Invalid


class TopicAddressee(Base):
    __tablename__ = "ingest_topic_units"

    topic: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    unit_slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _created(session: Session, event: Event) -> None:
    topic = TopicCreated.of(event)
    for unit in topic.units:
        if session.get(TopicAddressee, (topic.topic, unit)) is None:
            session.add(TopicAddressee(topic=topic.topic, unit_slug=unit,
                                       deadline=topic.deadline))


def check_answer(session: Session, topic: str, unit: str) -> None:
    """Refuse (invalid) unless ``unit`` was asked for ``topic``."""
    asked = session.scalars(sa.select(TopicAddressee.unit_slug)
                            .where(TopicAddressee.topic == topic)).all()
    if not asked:
        raise Invalid(f"没有编号为 {topic} 的约稿 (unknown topic)")
    if unit not in asked:
        raise Invalid(f"约稿 {topic} 没有向本单位约稿 (topic not addressed to your unit)")


def subscription() -> Subscription:
    return Subscription(consumer="ingest-topics", handlers={TopicCreated.TYPE: _created})
