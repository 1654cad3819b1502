"""The page writes of one flush, several at a time.

A page write mostly waits on the store: a folder's fsync (about 5 ms on this machine's disk, a
journal commit each) or an S3 request. Written one after another, the ten or so pages that one
published item touches cost it some 50 ms of waiting, and a batch's pages add up the same way.
Written side by side, fsyncs that overlap share a journal commit and S3 requests overlap.

What a reader can reach stays in order: :meth:`Site.flush <publisher.site.Site.flush>` settles
the writes (waits for every one so far) between the groups of pages that must be on the site
before the next group links to them, and once more at its end, before the transaction commits.
Outside :meth:`ConcurrentWrites.together` a write is made at once, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from services.os_threads import name_os_thread


class ConcurrentWrites:
    def __init__(self, threads: int, name: str = "publisher") -> None:
        self._threads = threads
        self._name = name
        self._pool: ThreadPoolExecutor | None = None  # started on first use
        self._started = threading.Lock()
        self._local = threading.local()  # each consumer thread's flush has its own writes

    def _executor(self) -> ThreadPoolExecutor:
        with self._started:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._threads, thread_name_prefix=f"write-{self._name}",
                    initializer=name_os_thread, initargs=(f"p:{self._name}",))
            return self._pool

    @contextmanager
    def together(self) -> Iterator[Callable[[], None]]:
        """Writes made inside go side by side; yields ``settle``, and settles at the end (an
        error inside waits for what was started, then goes on up unchanged)."""
        if self._threads <= 1:
            yield lambda: None
            return
        self._local.pending = []
        try:
            yield self.settle
            self.settle()
        finally:
            pending: list[Future[Any]] = self._local.pending
            self._local.pending = None
            wait(pending)  # on an error: nothing of this flush still writes once it is over

    def run(self, write: Callable[..., Any], *args: Any) -> None:
        """Make ``write(*args)``: started beside the others inside ``together``, else now."""
        pending: list[Future[Any]] | None = getattr(self._local, "pending", None)
        if pending is None:
            write(*args)
        else:
            pending.append(self._executor().submit(write, *args))

    def settle(self) -> None:
        """Wait for every write started so far; raise the first that failed."""
        pending: list[Future[Any]] = self._local.pending
        wait(pending)
        failed = next((f.exception() for f in pending if f.exception() is not None), None)
        pending.clear()
        if failed is not None:
            raise failed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
