"""The live score stream: resuming from Last-Event-ID, dropping a slow viewer, and being woken
by PostgreSQL NOTIFY when the line was booked by another process."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from bootstrap import build_context, prepare
from scoring.engine import Line
from scoring.ledger import book
from scoring.rules import load_rules
from scoring.stream import ScoreBroadcaster
from services.db import Database, utcnow
from services.settings import Settings

RULES = load_rules(Settings(_env_file=None).rules_path)  # type: ignore[call-arg]


def book_points(db: Database, points: int, unit: str = "qingshan") -> None:
    with db.transaction() as session:
        book(session, fact_id=f"test-{uuid.uuid4()}", fact_type="test", at=utcnow(),
             line=Line(rule="published.article", points=points, note="测试", unit=unit,
                       informant=7), rules=RULES, timezone="Asia/Shanghai")


def database(settings: Settings) -> Database:
    ctx = build_context(settings)
    prepare(ctx)
    return ctx.db


async def take(stream: AsyncIterator[dict[str, Any]], n: int,
               timeout: float = 5.0) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(anext(stream), timeout) for _ in range(n)]


def test_a_viewer_that_reconnects_gets_every_change_it_missed(settings: Settings) -> None:
    db = database(settings)
    for points in (2, 1, 5):
        book_points(db, points)

    async def scenario() -> None:
        broadcaster = ScoreBroadcaster(db, poll_seconds=30)
        await broadcaster.start()
        try:
            resumed = broadcaster.events(last_event_id=1)
            replayed = await take(resumed, 3)
            assert [m.get("id") for m in replayed] == ["2", "3", None]  # then "ready"
            assert replayed[2]["event"] == "ready"
            change = json.loads(replayed[1]["data"])
            assert change["points"] == 5 and change["totals"]["unit"]["all"]["points"] == 8
            await asyncio.to_thread(book_points, db, 3)  # woken by the commit, not the poll
            live = await take(resumed, 1, timeout=2.0)
            assert live[0]["id"] == "4"
            assert json.loads(live[0]["data"])["totals"]["informant"]["all"]["points"] == 11
        finally:
            await broadcaster.stop()

    asyncio.run(scenario())
    db.dispose()


def test_a_slow_viewer_is_dropped_and_the_others_carry_on(settings: Settings) -> None:
    db = database(settings)

    async def scenario() -> None:
        broadcaster = ScoreBroadcaster(db, poll_seconds=30, queue_size=2)
        await broadcaster.start()
        try:
            slow, quick = broadcaster.events(None), broadcaster.events(None)
            assert (await take(slow, 1))[0]["event"] == "ready"
            assert (await take(quick, 1))[0]["event"] == "ready"
            got = []
            for points in (1, 2, 3, 4):
                await asyncio.to_thread(book_points, db, points)
                got += await take(quick, 1, timeout=2.0)
            assert [m["id"] for m in got] == ["1", "2", "3", "4"]
            assert broadcaster.dropped == 1 and len(broadcaster.viewers) == 1
            # the dropped viewer's stream ends; its browser resumes from the last id it got
            rest = [m async for m in slow]
            assert rest == []
        finally:
            await broadcaster.stop()

    asyncio.run(scenario())
    db.dispose()


def test_postgres_notify_wakes_the_stream_of_another_process(settings: Settings,
                                                             pg_url: str) -> None:
    pg = settings.model_copy(update={"database_url": pg_url})
    api_db, scoring_db = database(pg), Database(pg_url)  # two processes' own connections

    async def scenario() -> None:
        broadcaster = ScoreBroadcaster(api_db, poll_seconds=60)  # polling alone would be late
        await broadcaster.start()
        try:
            assert broadcaster.wakeup is not None
            await asyncio.to_thread(broadcaster.wakeup.listening.wait, 10)
            viewer = broadcaster.events(None)
            await take(viewer, 1)
            started = time.monotonic()
            await asyncio.to_thread(book_points, scoring_db, 2)
            change = await take(viewer, 1, timeout=3.0)
            assert change[0]["event"] == "score" and time.monotonic() - started < 3.0
        finally:
            await broadcaster.stop()

    asyncio.run(scenario())
    api_db.dispose()
    scoring_db.dispose()
