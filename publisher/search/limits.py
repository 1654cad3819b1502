"""A small sliding-window limit per client for public endpoints (kept in the process: each API
process counts its own clients, which is what stops one client hammering one process)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from services.refusals import TooMany

MAX_CLIENTS = 10_000  # forget the quietest clients past this many


class RateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = int(60 - (now - hits[0])) + 1
                raise TooMany(f"搜索太频繁，请 {wait} 秒后再试 (too many searches)",
                              headers={"Retry-After": str(wait)})
            hits.append(now)
            if len(self._hits) > MAX_CLIENTS:
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - 60]:
                    del self._hits[key]
