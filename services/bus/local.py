"""The embedded bus: a durable queue in the database itself.

The relay fans each event out into one row per subscribed queue, in the same transaction that
marks the outbox row sent, so nothing is lost between them. A consumer claims a row with a lease;
the handler's transaction deletes it together with the inbox record. A process killed mid-way
leaves its claim to expire, and the row is claimed again: at least once, and the inbox makes it
exactly once in effect. kombu's in-process transports give neither: ``memory://`` loses
everything on a crash, ``filesystem://`` deletes a message before it is acked, and the SQLAlchemy
transport never redelivers a message taken by a process that died.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services import metrics
from services.backoff import Backoff
from services.db import Base, Database, UTCDateTime, utcnow
from services.events import Event, InvalidEvent
from services.inbox import Prepared, Subscription, deliver, deliver_batch
from services.outages import cause
from services.polling import poll_until_stopped

log = logging.getLogger(__name__)

# a message whose handler failed is offered again after 0.5 s, 1 s, 2 s, … up to 30 s
REDELIVERY = Backoff(initial=0.5, factor=2, ceiling=30.0)


class LocalMessage(Base):
    __tablename__ = "local_queue"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(sa.String(64))
    event_id: Mapped[str] = mapped_column(sa.String(36))
    payload: Mapped[str] = mapped_column(sa.Text)
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    __table_args__ = (sa.Index("ix_local_queue_queue_id", "queue", "id"),)


class DeadLetter(Base):
    """A message that failed ``delivery_limit`` times: kept for a person to look at."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(sa.String(64))
    event_id: Mapped[str] = mapped_column(sa.String(36))
    payload: Mapped[str] = mapped_column(sa.Text)
    error: Mapped[str] = mapped_column(sa.Text)
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LocalTransport:
    """Fans events out to the queues bound to their type, in the relay's own transaction."""

    _PENDING = "baosong.local.pending"

    def __init__(self, db: Database, subscriptions: Iterable[Subscription]) -> None:
        self.bindings: dict[str, list[str]] = {}
        self.wakes: dict[str, threading.Event] = {}
        for sub in subscriptions:
            self.wakes[sub.consumer] = threading.Event()
            for event_type in sub.event_types:
                self.bindings.setdefault(event_type, []).append(sub.consumer)
        db.on_commit(self._on_commit)

    def publish(self, session: Session, events: Sequence[Event]) -> None:
        queues: set[str] = session.info.setdefault(self._PENDING, set())
        rows = []
        now = utcnow()
        for event in events:
            payload = event.to_json()
            for queue in self.bindings.get(event.type, ()):
                rows.append({"queue": queue, "event_id": event.id, "payload": payload,
                             "available_at": now})
                queues.add(queue)
        if rows:  # one statement for the batch: the ORM's bookkeeping a row cost more than it
            session.execute(sa.insert(LocalMessage), rows)

    def _on_commit(self, session: Session) -> None:
        for queue in session.info.pop(self._PENDING, ()):
            self.wakes[queue].set()


BATCH_FAILED = -1  # what ``_at_once`` says of a batch that failed


class _Taken(Exception):
    """Another process leased one of the messages first."""


class LocalConsumer:
    """Claims messages of one queue with a lease and hands them to the subscription's handlers."""

    def __init__(self, db: Database, subscription: Subscription, *, lease_seconds: float = 30.0,
                 delivery_limit: int = 5, poll_seconds: float = 0.2,
                 wake: threading.Event | None = None, batch: int = 1) -> None:
        self.db = db
        self.subscription = subscription
        self.queue = subscription.consumer
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.delivery_limit = delivery_limit
        self.poll_seconds = poll_seconds
        self.wake = wake or threading.Event()
        self.batch = subscription.batch or batch

    def _ready(self, query: sa.Select[Any], now: dt.datetime) -> sa.Select[Any]:
        return query.where(
            LocalMessage.queue == self.queue, LocalMessage.available_at <= now,
            sa.or_(LocalMessage.lease_until.is_(None), LocalMessage.lease_until < now))

    def claim(self, limit: int = 1) -> list[LocalMessage]:
        """Lease up to ``limit`` waiting messages, oldest first, in one transaction (after a
        look that takes no lock: an empty queue costs no write)."""
        with self.db.session() as session:
            if session.scalar(self._ready(sa.select(LocalMessage.id), utcnow()).limit(1)) is None:
                return []
        with self.db.transaction() as session:
            now = utcnow()
            query = self._ready(sa.select(LocalMessage), now).order_by(LocalMessage.id).limit(limit)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            messages = list(session.scalars(query))
            for message in messages:
                message.lease_until = now + self.lease
                message.attempts += 1
            return messages

    def process_one(self) -> bool:
        """Handle what one claim takes (up to the subscription's batch); whether there was any."""
        return self.process_batch() > 0

    def process_batch(self) -> int:
        """Claim up to a batch of messages and handle them in one transaction; if that fails,
        handle them one by one, so that a bad one fails alone. Returns how many were claimed."""
        if self.db.is_sqlite:
            taken = self._at_once()
            if taken is not None and taken >= 0:
                return taken
            if taken == BATCH_FAILED:  # the batch was tried: one by one now, each counted
                messages = self.claim(self.batch)
                for message in messages:
                    self._handle(message)
                return len(messages)
        messages = self.claim(self.batch)
        if len(messages) > 1:
            readable: list[tuple[LocalMessage, Event]] = []
            for message in messages:
                try:
                    readable.append((message, Event.from_json(message.payload)))
                except InvalidEvent as exc:
                    self._dead(message, repr(exc))
            ids = [message.id for message, _ in readable]

            def remove_all(session: Session) -> None:
                session.execute(sa.delete(LocalMessage).where(LocalMessage.id.in_(ids)))

            try:
                deliver_batch(self.db, self.subscription, [e for _, e in readable],
                              also=remove_all)
                return len(messages)
            except Exception as exc:
                log.warning("%s: a batch of %d failed (%s); handling them one by one",
                            self.queue, len(readable), cause(exc))
            messages = [message for message, _ in readable]
        for message in messages:
            self._handle(message)
        return len(messages)

    def _at_once(self) -> int | None:
        """SQLite: take what waits and handle it in the same write transaction, with no lease
        of its own before it: SQLite has one writer at a time, so every write transaction an
        event costs is time every other process waits, and a lease is one. Nothing is lost: a
        crash rolls the whole transaction back, the messages untouched. A message another
        process leased meanwhile rolls it back too (the inbox would have dropped the repeat
        anyway). A single message that fails has had its try: counted, and tried again later
        or dead-lettered, as the leasing path does. Returns how many were handled, or None for
        the leasing path: a batch with slow parts to prepare outside the transaction (they
        should not run twice side by side) or a message that is not an event; BATCH_FAILED
        for a batch that failed (to be handled one by one)."""
        with self.db.session() as session:
            messages = list(session.scalars(
                self._ready(sa.select(LocalMessage), utcnow()).order_by(LocalMessage.id)
                .limit(self.batch)))
        if not messages:
            return 0
        try:
            events = [Event.from_json(message.payload) for message in messages]
        except InvalidEvent:
            return None
        if any(isinstance(self.subscription.handlers.get(e.type), Prepared) for e in events):
            return None
        ids = [message.id for message in messages]
        event_ids = [message.event_id for message in messages]

        def take(session: Session) -> None:
            now = utcnow()
            # by queue and event too: SQLite gives a deleted row's id to the next row inserted
            # when it was the last, so the id read a moment ago may name another queue's
            # message now (this lost an event once, in the throughput bench)
            gone = session.execute(sa.delete(LocalMessage).where(
                LocalMessage.id.in_(ids), LocalMessage.queue == self.queue,
                LocalMessage.event_id.in_(event_ids),
                sa.or_(LocalMessage.lease_until.is_(None), LocalMessage.lease_until < now)))
            if gone.rowcount != len(ids):  # type: ignore[attr-defined]
                raise _Taken

        try:
            deliver_batch(self.db, self.subscription, events, also=take)
        except _Taken:
            return None
        except Exception as exc:
            if len(ids) > 1:
                log.warning("%s: a batch of %d failed (%s); handling them one by one",
                            self.queue, len(ids), cause(exc))
                return BATCH_FAILED
            self._tried(ids[0], events[0], exc)
        return len(ids)

    def _tried(self, message_id: int, event: Event, exc: Exception) -> None:
        """A message handled at once failed: its try is counted as a leased one's would be."""
        if isinstance(exc, InvalidEvent):  # its data does not fit its type: no retry can help
            log.error("%s: dead-lettering %s %s: %s", self.queue, event.type, event.id, exc)
        else:
            log.error("%s failed on %s %s: %s", self.queue, event.type, event.id, cause(exc),
                      exc_info=exc)
        with self.db.transaction() as session:
            message = session.get(LocalMessage, message_id)
            if message is None or (message.lease_until is not None
                                   and message.lease_until >= utcnow()):
                return  # handled, or leased, by another process meanwhile
            message.attempts += 1
        if isinstance(exc, InvalidEvent):
            self._dead(message, repr(exc))
        else:
            self._failed(message, repr(exc))

    def _handle(self, message: LocalMessage) -> None:
        message_id = message.id

        def remove(session: Session) -> None:
            session.execute(sa.delete(LocalMessage).where(LocalMessage.id == message_id))

        try:
            event = Event.from_json(message.payload)
        except InvalidEvent as exc:
            self._dead(message, repr(exc))
            return
        try:
            deliver(self.db, self.subscription, event, also=remove)
        except InvalidEvent as exc:  # its data does not fit its type: no retry can help
            log.error("%s: dead-lettering %s %s: %s", self.queue, event.type, event.id, exc)
            self._dead(message, repr(exc))
        except Exception as exc:
            log.exception("%s failed on %s %s (attempt %d)", self.queue, event.type, event.id,
                          message.attempts)
            self._failed(message, repr(exc))

    def _failed(self, message: LocalMessage, error: str) -> None:
        if message.attempts >= self.delivery_limit:
            self._dead(message, error)
            return
        delay = dt.timedelta(seconds=REDELIVERY.delay(message.attempts))
        with self.db.transaction() as session:
            session.execute(
                sa.update(LocalMessage)
                .where(LocalMessage.id == message.id)
                .values(lease_until=None, available_at=utcnow() + delay, last_error=error)
            )

    def _dead(self, message: LocalMessage, error: str) -> None:
        with self.db.transaction() as session:
            session.add(DeadLetter(queue=message.queue, event_id=message.event_id,
                                   payload=message.payload, error=error))
            session.execute(sa.delete(LocalMessage).where(LocalMessage.id == message.id))

    def drain(self) -> int:
        handled = 0
        while claimed := self.process_batch():
            handled += claimed
        return handled

    def run(self, stop: threading.Event) -> None:
        # woken by this process's relay, or by the watch when another process filled the queue;
        # the long wait is only a safety net
        poll_until_stopped(self.drain, stop=stop, wake=self.wake,
                           poll_seconds=self.poll_seconds * IDLE_POLLS,
                           name=f"consumer {self.queue}")


IDLE_POLLS = 25  # a consumer looks by itself this many watch polls apart


class QueueWatch:
    """One cheap read a poll, without the write lock, for all of a process's queues: which have
    a message ready (put there by another process's relay, or due again after a failure). Their
    consumers are woken; an idle consumer costs nothing, and an idle process one read a poll.
    """

    def __init__(self, db: Database, consumers: Iterable[LocalConsumer],
                 poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.wakes: dict[str, list[threading.Event]] = {}
        for consumer in consumers:
            self.wakes.setdefault(consumer.queue, []).append(consumer.wake)

    def ready(self) -> set[str]:
        now = utcnow()
        with self.db.session() as session:
            return set(session.scalars(
                sa.select(LocalMessage.queue).distinct().where(
                    LocalMessage.queue.in_(list(self.wakes)), LocalMessage.available_at <= now,
                    sa.or_(LocalMessage.lease_until.is_(None), LocalMessage.lease_until < now))))

    def look(self) -> int:
        ready = self.ready()
        for queue in ready:
            for wake in self.wakes[queue]:
                wake.set()
        return 0  # the consumers do the work: the watch always waits its poll

    def run(self, stop: threading.Event) -> None:
        poll_until_stopped(self.look, stop=stop, wake=threading.Event(),
                           poll_seconds=self.poll_seconds, name="queue watch")


class LocalQueueProbe:
    """What a scrape shows of the embedded queue's ``consumers``: how many messages wait, the
    age of the oldest, and the dead letters. The table holds only what waits (a handled message
    is deleted), and each figure is read by the ``(queue, id)`` index."""

    name = "embedded_queue"

    def __init__(self, db: Database, consumers: Sequence[str]) -> None:
        self.db = db
        self.consumers = list(consumers)

    def read(self) -> Iterator[metrics.Reading]:
        now = utcnow()
        with self.db.session() as session:
            waiting = {queue: (count, oldest) for queue, count, oldest in session.execute(
                sa.select(LocalMessage.queue, sa.func.count(), sa.func.min(LocalMessage.id))
                .where(LocalMessage.queue.in_(self.consumers)).group_by(LocalMessage.queue))}
            dead = dict(session.execute(
                sa.select(DeadLetter.queue, sa.func.count())
                .where(DeadLetter.queue.in_(self.consumers)).group_by(DeadLetter.queue)).all())
            payloads = dict(session.execute(
                sa.select(LocalMessage.id, LocalMessage.payload)
                .where(LocalMessage.id.in_([oldest for _, oldest in waiting.values()]))).all())
        for queue in self.consumers:
            labels = (("consumer", queue),)
            count, oldest = waiting.get(queue, (0, None))
            age = _age(payloads.get(oldest), now) if oldest is not None else 0.0
            yield metrics.Reading(metrics.QUEUE_DEPTH, count, labels)
            yield metrics.Reading(metrics.QUEUE_AGE, age, labels)
            yield metrics.Reading(metrics.DEAD_LETTERS, dead.get(queue, 0), labels)


def _age(payload: str | None, now: dt.datetime) -> float:
    """Seconds since the event in ``payload`` happened (0 when it cannot be read)."""
    try:
        return max(0.0, (now - Event.from_json(payload or "").time).total_seconds())
    except InvalidEvent:
        return 0.0
