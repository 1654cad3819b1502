"""The idempotent inbox: a consumer records an event's id in the same transaction as its effect,
so a redelivered event changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.contracts import check
from services.db import Base, Database, UTCDateTime, utcnow
from services.events import Event

Handler = Callable[[Session, Event], None]


@dataclass(frozen=True)
class Prepared:
    """A handler whose slow part (reading objects, decoding photos) runs before the transaction,
    so that no database lock is held while it works. ``prepare(event)`` must have no effect but
    idempotent ones, and returns the handler for the transactional part.
    """

    prepare: Callable[[Event], Handler]


class ProcessedEvent(Base):
    __tablename__ = "inbox"

    consumer: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(64))
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Subscription:
    """A consumer: its name (the queue and the inbox key) and a handler per event type.

    Which process runs it, and how, is the process table's to say (``bootstrap.processes``).
    """

    consumer: str
    handlers: Mapping[str, Handler | Prepared]

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.handlers)


def deliver(
    db: Database,
    subscription: Subscription,
    event: Event,
    *,
    also: Callable[[Session], None] | None = None,
) -> bool:
    """Run the subscription's handler for ``event`` once; False if it was already handled.

    ``also`` runs in the same transaction (the embedded queue deletes its message there). An
    event whose data does not fit its payload type raises ``InvalidEvent`` before anything runs:
    every transport dead-letters it at once, since no retry can make it fit.
    """
    check(event)
    key = (subscription.consumer, event.id)
    handler = subscription.handlers.get(event.type)
    if isinstance(handler, Prepared):
        with db.session() as session:
            seen = session.get(ProcessedEvent, key) is not None
        if seen:
            if also is not None:
                with db.transaction() as session:
                    also(session)
            return False
        handler = handler.prepare(event)
    recorded = False
    try:
        with db.transaction() as session:
            if session.get(ProcessedEvent, key) is None:
                session.add(ProcessedEvent(consumer=subscription.consumer, event_id=event.id,
                                           event_type=event.type))
                session.flush()
                recorded = True
                if handler is not None:
                    handler(session, event)
            if also is not None:
                also(session)
        return recorded
    except IntegrityError:
        if recorded:
            raise  # the handler's own constraint broke: a real error
        # another delivery of the same event committed first
        if also is not None:
            with db.transaction() as session:
                also(session)
        return False
