"""Live score changes for dashboards, as Server-Sent Events.

The ledger's sequence number is the event id, so a client that reconnects with ``Last-Event-ID``
is first sent every line it missed, read from the ledger, and then the live ones. One reader per
process watches the ledger (woken at once by a commit in this process, otherwise by polling, so
it also sees what a scoring process elsewhere booked) and hands each change to every viewer's
bounded queue; a viewer whose queue is full is dropped, never waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.ledger import SCORES_CHANGED
from scoring.models import LedgerLine, Total
from scoring.queries import line_to_public
from services.db import Database

log = logging.getLogger(__name__)
BATCH = 500


def change_payload(session: Session, lines: list[LedgerLine]) -> list[dict[str, Any]]:
    """Each line with the new totals of its unit and informant for its month and year."""
    out = []
    for line in lines:
        year = line.month[:4]
        totals: dict[str, dict[str, int]] = {}
        for scope, key in (("unit", line.unit_slug), ("informant", str(line.informant_id))):
            if key == "None":
                continue
            rows = session.scalars(sa.select(Total).where(
                Total.scope == scope, Total.key == key,
                Total.period.in_([line.month, year, "all"]))).all()
            by_period = {t.period: t.points for t in rows}
            totals[scope] = {"month": by_period.get(line.month, 0), "year": by_period.get(year, 0),
                             "all": by_period.get("all", 0)}
        out.append({**line_to_public(line), "totals": totals})
    return out


def read_after(db: Database, seq: int, limit: int = BATCH) -> list[dict[str, Any]]:
    with db.session() as session:
        lines = list(session.scalars(sa.select(LedgerLine).where(LedgerLine.seq > seq)
                                     .order_by(LedgerLine.seq).limit(limit)))
        return change_payload(session, lines)


class Viewer:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=size)
        self.dropped = False


class ScoreBroadcaster:
    def __init__(self, db: Database, *, poll_seconds: float = 0.5, queue_size: int = 100) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.queue_size = queue_size
        self.viewers: set[Viewer] = set()
        self.last_seq = 0
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        db.on_commit(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        if session.info.pop(SCORES_CHANGED, False) and self._loop and self._wake:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._wake.set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.last_seq = await asyncio.to_thread(self._max_seq)
        self._task = asyncio.create_task(self._watch(), name="score-broadcaster")

    async def stop(self) -> None:
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
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                changes = await asyncio.to_thread(read_after, self.db, self.last_seq)
            except Exception:
                log.exception("cannot read the ledger")
                await asyncio.sleep(1)
                continue
            for change in changes:
                self.last_seq = change["seq"]
                self._fan_out(change)
            if len(changes) == BATCH:
                self._wake.set()

    def _fan_out(self, change: dict[str, Any]) -> None:
        for viewer in list(self.viewers):
            try:
                viewer.queue.put_nowait(change)
            except asyncio.QueueFull:  # a slow viewer is dropped; it resumes by Last-Event-ID
                viewer.dropped = True
                self.viewers.discard(viewer)

    async def events(self, last_event_id: int | None) -> AsyncIterator[dict[str, Any]]:
        """The SSE messages for one viewer: the missed changes, then live ones."""
        viewer = Viewer(self.queue_size)
        self.viewers.add(viewer)
        try:
            sent = last_event_id if last_event_id is not None else self.last_seq
            while last_event_id is not None:  # replay what the viewer missed, from the ledger
                missed = await asyncio.to_thread(read_after, self.db, sent)
                for change in missed:
                    sent = change["seq"]
                    yield _message(change)
                if len(missed) < BATCH:
                    break
            yield {"event": "ready", "data": json.dumps({"seq": sent})}
            while not viewer.dropped:
                change = await viewer.queue.get()
                if change["seq"] <= sent:
                    continue  # already replayed
                sent = change["seq"]
                yield _message(change)
        finally:
            self.viewers.discard(viewer)


def _message(change: dict[str, Any]) -> dict[str, Any]:
    return {"event": "score", "id": str(change["seq"]),
            "data": json.dumps(change, ensure_ascii=False)}
