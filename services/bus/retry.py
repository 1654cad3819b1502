"""Delivery with patience for a database that is briefly away.

A failing database is not the message's fault: retrying in place keeps the message from burning
its delivery limit (and landing in the dead letters) during a restart. Any other error is raised
at once and the transport's own redelivery and dead-lettering take over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from services.backoff import Backoff
from services.db import Database
from services.events import Event
from services.inbox import Subscription, deliver, deliver_batch

log = logging.getLogger(__name__)
T = TypeVar("T")

# a handler whose database is away tries again after 0.25 s, 0.5 s, 1 s, … up to 10 s
DATABASE_RETRY = Backoff(initial=0.25, factor=2, ceiling=10.0)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def deliver_with_retry(
    db: Database, subscription: Subscription, event: Event, **patience: Any
) -> bool:
    return patiently(lambda: deliver(db, subscription, event), subscription.consumer, **patience)


def deliver_batch_with_retry(
    db: Database, subscription: Subscription, events: Sequence[Event], **patience: Any
) -> list[bool]:
    return patiently(lambda: deliver_batch(db, subscription, events), subscription.consumer,
                     **patience)


def patiently(
    attempt: Callable[[], T],
    consumer: str,
    *,
    stop: threading.Event | None = None,
    keepalive: Callable[[], object] | None = None,
    patience_seconds: float = 120.0,
    backoff: Backoff = DATABASE_RETRY,
) -> T:
    """``attempt()``, again and again while the database is away (for ``patience_seconds``)."""
    deadline = time.monotonic() + patience_seconds
    failures = 0
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                raise
            failures += 1
            delay = backoff.delay(failures)
            log.warning("%s: database unavailable (%s); retrying in %.1fs",
                        consumer, exc.__class__.__name__, delay)
        waited = 0.0
        while waited < delay:
            if stop is not None and stop.is_set():
                raise RuntimeError("stopping")
            if keepalive is not None:
                keepalive()
            time.sleep(0.25)
            waited += 0.25
