"""The transactional outbox: an event is written in the same transaction as the change it reports,
and a relay publishes it after the commit, marking it sent only once the transport has it.

A crash between publishing and marking sends the event again; consumers drop the repeat by its id.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services import metrics
from services.db import Base, Database, UTCDateTime, utcnow
from services.events import Event
from services.polling import poll_until_stopped

log = logging.getLogger(__name__)

PENDING_FLAG = "baosong.outbox.pending"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                     primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    __table_args__ = (sa.Index("ix_outbox_pending", "published_at", "seq"),)


def emit(session: Session, event: Event) -> Event:
    """Write ``event`` to the outbox inside the caller's transaction."""
    session.add(
        OutboxMessage(id=event.id, type=event.type, subject=event.subject, payload=event.to_json())
    )
    session.info[PENDING_FLAG] = True
    return event


class Transport(Protocol):
    """Where the relay hands events: the broker, or the embedded queue."""

    def publish(self, session: Session, events: Sequence[Event]) -> None:
        """Deliver ``events`` durably or raise; ``session`` is the relay's open transaction."""


def _pending(*columns: Any) -> sa.Select[Any]:
    """The rows not sent on yet, oldest first, ordered as the index of pending rows is
    (published_at is NULL for all, so this is seq order): read straight off it, whatever the
    planner's statistics say. By seq alone, PostgreSQL with stale statistics walked the primary
    key through every sent row, nearly all of the table."""
    return (sa.select(*columns).where(OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.published_at, OutboxMessage.seq))


class Relay:
    """Moves committed outbox rows to a transport, in order, at least once."""

    def __init__(self, db: Database, transport: Transport, *, batch: int = 100,
                 poll_seconds: float = 0.2) -> None:
        self.db = db
        self.transport = transport
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        db.on_commit(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        if session.info.pop(PENDING_FLAG, False):
            self.wake.set()

    def relay_once(self) -> int:
        """Publish one batch of pending events; return how many went out."""
        if self.db.is_sqlite and not self._any_pending():
            return 0
        with self.db.transaction() as session:
            query = _pending(OutboxMessage.seq, OutboxMessage.payload).limit(self.batch)
            if not self.db.is_sqlite:  # several relays may run; each takes rows no other holds
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query).all()
            if not rows:
                return 0
            self.transport.publish(session, [Event.from_json(payload) for _, payload in rows])
            # rows and statements, not ORM objects: the relay runs once for every few commits
            session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.seq.in_([seq for seq, _ in rows]))
                .values(published_at=utcnow(), attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False))
            return len(rows)

    def _any_pending(self) -> bool:
        """A look that takes no write turn: SQLite has one writer at a time, and every poll
        and the end of every drain would otherwise take the file from the API and the
        consumers for nothing (an empty turn after each batch)."""
        with self.db.session() as session:
            return session.scalar(_pending(OutboxMessage.seq).limit(1)) is not None

    def drain(self) -> int:
        total = 0
        while n := self.relay_once():
            total += n
        return total

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set, backing off while the transport or database is down."""
        poll_until_stopped(self.drain, stop=stop, wake=self.wake, poll_seconds=self.poll_seconds,
                           name="outbox relay")


class OutboxProbe:
    """What a scrape shows of the outbox: the rows not yet sent on and the age of the oldest,
    both read by the index of pending rows (``published_at``, ``seq``): the sent rows, which
    are nearly all of them, are never counted."""

    name = "outbox"

    def __init__(self, db: Database) -> None:
        self.db = db

    def read(self) -> Iterator[metrics.Reading]:
        pending = OutboxMessage.published_at.is_(None)
        with self.db.session() as session:
            # ordered as the index is (a bare min(seq) makes PostgreSQL walk the primary key
            # through every sent row)
            created = session.scalar(
                sa.select(OutboxMessage.created_at).where(pending)
                .order_by(OutboxMessage.published_at, OutboxMessage.seq).limit(1))
            waiting = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(pending)) if created is not None else 0
        age = max(0.0, (utcnow() - created).total_seconds()) if created is not None else 0.0
        yield metrics.Reading(metrics.OUTBOX_WAITING, waiting or 0)
        yield metrics.Reading(metrics.OUTBOX_AGE, age)
