"""The loop shared by every poller (the outbox relay, the embedded queue's consumers)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from services.backoff import Backoff
from services.outages import log_failure

log = logging.getLogger(__name__)

# a poller whose database or broker is away tries again after 0.5 s, 1 s, 2 s, … up to 15 s
POLLER_BACKOFF = Backoff(initial=0.5, factor=2, ceiling=15.0)


def poll_until_stopped(work: Callable[[], int], *, stop: threading.Event, wake: threading.Event,
                       poll_seconds: float, name: str, backoff: Backoff = POLLER_BACKOFF) -> None:
    """Call ``work`` (which returns how much it did) until ``stop`` is set.

    When there was nothing to do, wait for ``wake`` or ``poll_seconds``; when ``work`` raises
    (the database or the broker is away), wait as ``backoff`` says and try again: a poller never
    dies of a passing outage.
    """
    failures = 0
    while not stop.is_set():
        try:
            done = work()
            failures = 0
        except Exception as exc:
            failures += 1
            delay = backoff.delay(failures)
            log_failure(log, exc, "%s failed; trying again in %.1fs", name, delay)
            stop.wait(delay)
            continue
        if not done:
            wake.wait(poll_seconds)
            wake.clear()
