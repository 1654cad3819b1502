"""Live score changes for dashboards, as Server-Sent Events.

The ledger's sequence number is the event id, so a viewer that reconnects with ``Last-Event-ID``
is first sent every line it missed, read from the ledger, and then the live ones. One reader per
process watches the ledger and hands each change to every viewer's bounded queue; a viewer whose
queue is full is dropped (its stream ends, and its browser resumes from the last id it got),
never waited for.

What wakes the reader: a commit in this process (the embedded mode), a PostgreSQL NOTIFY sent by
the transaction that booked the line (the distributed mode: the API process is not the scoring
process), and, as a safety net, a slow poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.ledger import NOTIFY_CHANNEL, SCORES_CHANGED
from scoring.models import LedgerLine, Total
from scoring.queries import line_to_public
from scoring.totals import ALL_TIME, NEVER
from services.db import Database
from services.outages import log_failure

log = logging.getLogger(__name__)
BATCH = 500
RETRY_MS = 1000  # how soon a browser reconnects after its stream ended


def change_payload(session: Session, lines: list[LedgerLine]) -> list[dict[str, Any]]:
    """Each line with the new totals of its unit and informant for its month, year and all."""
    keys = {line.unit_slug for line in lines} | {str(line.informant_id) for line in lines
                                                  if line.informant_id is not None}
    periods = {line.month for line in lines} | {line.month[:4] for line in lines} | {ALL_TIME}
    totals = {(t.scope, t.key, t.period): t for t in session.scalars(
        sa.select(Total).where(Total.key.in_(keys), Total.period.in_(periods)))}
    out = []
    for line in lines:
        year = line.month[:4]
        now: dict[str, dict[str, Any]] = {}
        for scope, key in (("unit", line.unit_slug), ("informant", str(line.informant_id))):
            if scope == "informant" and line.informant_id is None:
                continue
            now[scope] = {}
            for name, period in (("month", line.month), ("year", year), ("all", ALL_TIME)):
                total = totals.get((scope, key, period))
                now[scope][name] = {
                    "points": total.points if total else 0,
                    "reached_at": total.reached_at.isoformat()
                    if total and total.reached_at != NEVER else None}
        out.append({**line_to_public(line), "totals": now})
    return out


def read_after(db: Database, seq: int, limit: int = BATCH) -> list[dict[str, Any]]:
    with db.session() as session:
        lines = list(session.scalars(sa.select(LedgerLine).where(LedgerLine.seq > seq)
                                     .order_by(LedgerLine.seq).limit(limit)))
        return change_payload(session, lines)


def pg_conninfo(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False)


class PgWakeup:
    """LISTENs on the channel the booking transactions NOTIFY, in a thread of its own."""

    def __init__(self, url: str, on_notify: Callable[[], None]) -> None:
        self.conninfo = pg_conninfo(url)
        self.on_notify = on_notify
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, name="scores-listen", daemon=True)
        self.listening = threading.Event()

    def start(self) -> None:
        self.thread.start()

    def run(self) -> None:
        import psycopg

        backoff = 0.5
        while not self.stop_event.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening.set()
                    backoff = 0.5
                    self.on_notify()  # whatever was booked while it was not listening
                    while not self.stop_event.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.on_notify()
            except Exception as exc:
                self.listening.clear()
                log_failure(log, exc, "score notifications lost; reconnecting in %.1fs", backoff)
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, 15.0)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=3)


class Viewer:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(maxsize=size)
        self.dropped = False


class ScoreBroadcaster:
    def __init__(self, db: Database, *, poll_seconds: float = 2.0, queue_size: int = 100,
                 listen: bool | None = None) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.queue_size = queue_size
        self.viewers: set[Viewer] = set()
        self.last_seq = 0
        self.dropped = 0  # viewers dropped for being slow, since start
        self.listen = (not db.is_sqlite) if listen is None else listen
        self.wakeup: PgWakeup | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        db.on_commit(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        if session.info.pop(SCORES_CHANGED, False):
            self.poke()

    def poke(self) -> None:
        """Wake the reader (from any thread)."""
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._wake.set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.last_seq = await asyncio.to_thread(self._max_seq)
        self._task = asyncio.create_task(self._watch(), name="score-broadcaster")
        if self.listen:
            self.wakeup = PgWakeup(self.db.url, self.poke)
            self.wakeup.start()

    async def stop(self) -> None:
        if self.wakeup is not None:
            await asyncio.to_thread(self.wakeup.stop)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _max_seq(self) -> int:
        with self.db.session() as session:
            return session.scalar(sa.select(sa.func.max(LedgerLine.seq))) or 0

    async def _watch(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                changes = await asyncio.to_thread(read_after, self.db, self.last_seq)
            except Exception as exc:
                log_failure(log, exc, "cannot read the ledger")
                await asyncio.sleep(1)
                continue
            for change in changes:
                self.last_seq = change["seq"]
                self._fan_out(change["seq"], json.dumps(change, ensure_ascii=False))
            if len(changes) == BATCH:
                self._wake.set()

    def _fan_out(self, seq: int, data: str) -> None:
        for viewer in list(self.viewers):
            try:
                viewer.queue.put_nowait((seq, data))
            except asyncio.QueueFull:  # a slow viewer is dropped; it resumes by Last-Event-ID
                viewer.dropped = True
                self.dropped += 1
                self.viewers.discard(viewer)

    async def events(self, last_event_id: int | None) -> AsyncIterator[dict[str, Any]]:
        """The SSE messages for one viewer: the missed changes, then live ones."""
        viewer = Viewer(self.queue_size)
        self.viewers.add(viewer)  # before the replay, so nothing falls between the two
        try:
            sent = last_event_id if last_event_id is not None else self.last_seq
            while last_event_id is not None:  # replay what the viewer missed, from the ledger
                missed = await asyncio.to_thread(read_after, self.db, sent)
                for change in missed:
                    sent = change["seq"]
                    yield _message(sent, json.dumps(change, ensure_ascii=False))
                if len(missed) < BATCH:
                    break
            yield {"event": "ready", "data": json.dumps({"seq": sent}), "retry": RETRY_MS}
            while not viewer.dropped:
                seq, data = await viewer.queue.get()
                if seq <= sent:
                    continue  # already replayed
                sent = seq
                yield _message(seq, data)
        finally:
            self.viewers.discard(viewer)


def _message(seq: int, data: str) -> dict[str, Any]:
    return {"event": "score", "id": str(seq), "data": data}
