"""The idempotent inbox: a consumer records an event's id in the same transaction as its effect,
so a redelivered event changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from services import metrics
from services.contracts import check
from services.db import Base, Database, UTCDateTime, utcnow
from services.events import Event
from services.os_threads import name_os_thread

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

    ``batch`` is how many waiting events one transaction may take (None: the deployment's
    ``event_batch``): each is still decided once by the inbox, but the transaction, the queue's
    bookkeeping and whatever ``finish`` does (the pages items share, the totals a batch moves)
    are paid once for all of them. ``finish`` runs
    at the end of every transaction that handled an event, before the commit. The slow parts of
    ``Prepared`` handlers run ``prepare_threads`` at a time (photo work releases the
    interpreter lock, so two threads use two cores).

    Which process runs it, and how, is the process table's to say (``bootstrap.processes``).
    """

    consumer: str
    handlers: Mapping[str, Handler | Prepared]
    batch: int | None = None
    finish: Callable[[Session], object] | None = None
    prepare_threads: int = 1
    # runs at the start of every transaction that handles events, with those events (to read
    # what their handlers will need in a few statements instead of a few for each)
    start: Callable[[Session, Sequence[Event]], object] | None = None

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
    return deliver_batch(db, subscription, [event], also=also)[0]


def deliver_batch(
    db: Database,
    subscription: Subscription,
    events: Sequence[Event],
    *,
    also: Callable[[Session], None] | None = None,
) -> list[bool]:
    """Handle ``events`` in one transaction, each once: for each, whether it was handled now
    (False: handled before, or a repeat of an earlier event of the batch).

    Any error rolls the whole batch back; the transports then deliver its events one by one,
    so that one bad event cannot hold up the others. ``also`` runs in the same transaction.
    """
    for event in events:
        check(event)
    started = time.perf_counter()
    consumer = subscription.consumer
    with db.session() as session:
        seen = _seen(session, consumer, events)
    prepared = _prepare(subscription, [e for e in _firsts(events) if e.id not in seen])
    known: set[str] = set()
    while True:
        handled = [False] * len(events)
        spent: dict[int, float] = {}  # seconds each handled event's handler took
        try:
            with db.transaction() as session:
                known = _seen(session, consumer, events)  # again: another delivery may have won
                done = set(known)
                for index, event in enumerate(events):
                    if event.id not in done:
                        done.add(event.id)
                        handled[index] = True
                # the inbox records first, in one statement: a delivery of one of them that
                # committed meanwhile fails it here, before any handler has run
                records = [{"consumer": consumer, "event_id": event.id, "event_type": event.type,
                            "processed_at": utcnow()}
                           for index, event in enumerate(events) if handled[index]]
                if records:
                    session.execute(sa.insert(ProcessedEvent), records)
                if records and subscription.start is not None:
                    subscription.start(session, [e for i, e in enumerate(events) if handled[i]])
                for index, event in enumerate(events):
                    if not handled[index]:
                        continue
                    begun = time.perf_counter()
                    handler, preparing = prepared.get(event.id) or (
                        _plain(subscription, event), 0.0)
                    if handler is not None:
                        handler(session, event)
                        spent[index] = preparing + time.perf_counter() - begun
                if any(handled) and subscription.finish is not None:
                    subscription.finish(session)
                if also is not None:
                    also(session)
            _observe(subscription, events, spent, time.perf_counter() - started)
            return handled
        except IntegrityError:
            # another delivery of one of these events committed first: its inbox record won the
            # race, so go again without it. Anything else is the handler's own constraint
            with db.session() as session:
                if not _seen(session, consumer, events) - known:
                    raise


def _observe(subscription: Subscription, events: Sequence[Event], spent: dict[int, float],
             batch_seconds: float) -> None:
    """What operators see of a committed transaction: each handled event's handling time (by
    its type, which has a handler, so the label's values are few) and wait, and the batch's
    time. A histogram's observation is all the hot path pays."""
    if not spent:
        return
    consumer = subscription.consumer
    now = utcnow()
    waited = metrics.waited(consumer)
    for index, seconds in spent.items():
        event = events[index]
        metrics.handling(consumer, event.type).observe(seconds)
        waited.observe(max(0.0, (now - event.time).total_seconds()))
    metrics.batch(consumer).observe(batch_seconds)


def _firsts(events: Sequence[Event]) -> list[Event]:
    """Each event id once, in order."""
    return list({event.id: event for event in reversed(events)}.values())[::-1]


def _seen(session: Session, consumer: str, events: Sequence[Event]) -> set[str]:
    ids = list({event.id for event in events})
    return set(session.scalars(sa.select(ProcessedEvent.event_id).where(
        ProcessedEvent.consumer == consumer, ProcessedEvent.event_id.in_(ids))))


def _plain(subscription: Subscription, event: Event) -> Handler | None:
    handler = subscription.handlers.get(event.type)
    if isinstance(handler, Prepared):
        # prepared before the transaction, unless it had been seen then and is not now (its
        # other delivery rolled back): prepare it here, as a single delivery would
        return handler.prepare(event)
    return handler


def _prepare(subscription: Subscription,
             events: Sequence[Event]) -> dict[str, tuple[Handler, float]]:
    """The transactional parts of the ``Prepared`` handlers of ``events``, their slow parts run
    first (``prepare_threads`` at a time), outside any transaction; with the seconds each slow
    part took."""
    work = [(event, handler) for event in events
            if isinstance(handler := subscription.handlers.get(event.type), Prepared)]

    def timed(pair: tuple[Event, Prepared]) -> tuple[Handler, float]:
        begun = time.perf_counter()
        result = pair[1].prepare(pair[0])
        return result, time.perf_counter() - begun

    if len(work) > 1 and subscription.prepare_threads > 1:
        with ThreadPoolExecutor(min(subscription.prepare_threads, len(work)),
                                thread_name_prefix=f"prepare-{subscription.consumer}",
                                initializer=name_os_thread,
                                initargs=(f"p:{subscription.consumer}",)) as pool:
            results = list(pool.map(timed, work))
    else:
        results = [timed(pair) for pair in work]
    return {event.id: result for (event, _), result in zip(work, results, strict=True)}
