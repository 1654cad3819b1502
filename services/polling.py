"""The loop shared by every poller (the outbox relay, the embedded queue's consumers)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def poll_until_stopped(work: Callable[[], int], *, stop: threading.Event, wake: threading.Event,
                       poll_seconds: float, name: str) -> None:
    """Call ``work`` (which returns how much it did) until ``stop`` is set.

    When there was nothing to do, wait for ``wake`` or ``poll_seconds``; when ``work`` raises
    (the database or the broker is away), back off, up to 15 s, and try again: a poller never
    dies of a passing outage.
    """
    backoff = 0.0
    while not stop.is_set():
        try:
            done = work()
            backoff = 0.0
        except Exception:
            backoff = min(max(backoff * 2, 0.5), 15.0)
            log.exception("%s failed; trying again in %.1fs", name, backoff)
            stop.wait(backoff)
            continue
        if not done:
            wake.wait(poll_seconds)
            wake.clear()
