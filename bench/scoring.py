"""Scoring: ledger events applied per second, and dashboard update latency with 200 viewers.

1. Events through the real consumer path in its batches (inbox records, facts, engine, ledger
   lines, outbox, a batch a transaction, the totals moved once a batch), against plain INSERT
   loops into the same database: one row a transaction, and the batch's size a transaction;
   SQLite (embedded) and PostgreSQL (if reachable).
2. A real server (uvicorn, the whole app) with 200 SSE viewers connected over loopback: the time
   from the commit of a booking to its arrival at each viewer, against the same with one viewer.
   On SQLite the commit wakes the stream in-process; on PostgreSQL the booking is made through
   another connection pool (as the scoring process would) and NOTIFY wakes it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

N_EVENTS = int(os.environ.get("BENCH_SCORING_EVENTS", "600"))
VIEWERS = int(os.environ.get("BENCH_SCORING_VIEWERS", "200"))
CHANGES = int(os.environ.get("BENCH_SCORING_CHANGES", "20"))
PG_ADMIN_URL = os.environ.get("BAOSONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _settings(data_dir: Path, database_url: str = "") -> Any:
    from services.settings import Settings

    return Settings(data_dir=data_dir, database_url=database_url,  # type: ignore[call-arg]
                    _env_file=None)


def _runtime(data_dir: Path, database_url: str = "") -> Any:
    """Baosong as ``baosong up`` wires it (web app and all), started by the benchmark itself."""
    from bootstrap import bootstrap

    return bootstrap(_settings(data_dir, database_url), "up")


@contextmanager
def databases() -> Iterator[list[tuple[str, Path, str]]]:
    """(name, data dir, URL) of each database to measure on: SQLite, and PostgreSQL if up."""
    with tempfile.TemporaryDirectory() as tmp:
        found = [("SQLite", Path(tmp) / "sqlite", "")]
        pg_name = f"baosong_bench_{uuid.uuid4().hex[:8]}"
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://",
                                                          "postgresql+psycopg://")
            found.append(("PostgreSQL", Path(tmp) / "pg", f"{base}/{pg_name}"))
        except Exception as exc:
            print(f"(PostgreSQL not reachable, measured on SQLite only: {exc.__class__.__name__})")
        try:
            yield found
        finally:
            if len(found) > 1:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _seed(ctx: Any) -> tuple[int, str]:
    from services.identity import add_unit, add_user

    with ctx.db.transaction() as session:
        add_unit(session, "qingshan", "青山县经济和信息化局", "county")
        informant, _ = add_user(session, "王晓明", "informant", "qingshan")
        _, token = add_user(session, "看板", "admin")
        return int(informant.id), token


def _events(informant: int, first: int, count: int) -> Iterator[Any]:
    """``count`` events: items received and published, in turn."""
    from services.clock import utcnow
    from services.contracts.submissions import Published, Received, SubmissionId

    for n in range(count):
        sid = SubmissionId(first + n // 2)
        ref = {"submission": sid, "kind": "article", "unit": "qingshan", "unit_kind": "county",
               "informant": informant, "topic": None, "revision_of": None,
               "content_hash": f"{sid:064x}", "column": "county"}
        if n % 2 == 0:
            yield Received(**ref, title=f"稿件{sid}", body="", informant_name="王晓明",
                           photos=[]).event()
        else:
            yield Published(**ref, url=f"http://portal.example/articles/{sid}.html",
                            published_at=utcnow(), lead=False, photo_count=0,
                            republished=False).event()


def ledger_throughput(name: str, data_dir: Path, url: str) -> None:
    """Events applied as the scoring consumer applies them under load: a batch a transaction
    (``BAOSONG_SCORE_BATCH``), each event through the inbox, facts, engine, ledger lines and
    the outbox, the totals moved once a batch. Against plain INSERTs into the same database,
    one row a transaction (what the database costs a committed write) and in transactions of
    the batch's size."""
    from services.inbox import deliver_batch

    runtime = _runtime(data_dir, url)
    ctx = runtime.ctx
    informant, _ = _seed(ctx)
    subscription = runtime.subscription("scoring")
    size = subscription.batch or ctx.settings.event_batch
    events = list(_events(informant, 1, N_EVENTS))
    started = time.perf_counter()
    for first in range(0, N_EVENTS, size):
        deliver_batch(ctx.db, subscription, events[first:first + size])
    applied = N_EVENTS / (time.perf_counter() - started)

    table = sa.table("bench_rows", sa.column("id", sa.Integer), sa.column("payload", sa.Text))
    with ctx.db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, payload TEXT)"))
    started = time.perf_counter()
    for n in range(N_EVENTS):
        with ctx.db.transaction() as session:
            session.execute(sa.insert(table).values(id=n, payload="x" * 200))
    inserts = N_EVENTS / (time.perf_counter() - started)
    started = time.perf_counter()
    for first in range(0, N_EVENTS, size):
        with ctx.db.transaction() as session:
            for n in range(first, min(first + size, N_EVENTS)):
                session.execute(sa.insert(table).values(id=N_EVENTS + n, payload="x" * 200))
    batched = N_EVENTS / (time.perf_counter() - started)
    print(f"{name}: ledger events applied {applied:8.0f}/s in batches of {size}; plain INSERTs "
          f"{inserts:8.0f}/s one a transaction, {batched:8.0f}/s {size} a transaction; "
          f"ratio {applied / inserts:.2f} to the first, {applied / batched:.2f} to the second")
    runtime.close()


# --- dashboard latency ------------------------------------------------------------------------

class Viewer:
    """One SSE client on a raw socket (HTTP/1.0: the body is the event stream itself)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.ready = asyncio.Event()

    async def run(self, port: int, cookie: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /api/scores/stream HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                     f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        try:
            while line := await reader.readline():
                if line.startswith(b"event: ready"):
                    self.ready.set()
                elif line.startswith(b"id: "):
                    self.arrived[int(line[4:])] = time.perf_counter()
        finally:
            writer.close()


def _signed_in(port: int, token: str) -> str:
    """The session cookie a browser gets at the sign-in page, as its ``Cookie`` header: viewers
    stream the way the dashboard does, never with a token in the address."""
    import re

    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
        form = browser.get("/login")
        nonce = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert nonce is not None, "the sign-in page has no form"
        signed = browser.post("/login", data={"token": token, "csrf": nonce.group(1)})
        assert signed.status_code in (200, 303), signed.text
        return f"baosong_session={browser.cookies['baosong_session']}"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(app: Any, port: int) -> tuple[Any, threading.Thread]:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, name="bench-server", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread


async def _latencies(port: int, cookie: str, viewers: int, book: Any) -> list[float]:
    clients = [Viewer() for _ in range(viewers)]
    tasks = [asyncio.create_task(c.run(port, cookie)) for c in clients]
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 60)
    committed: dict[int, float] = {}
    for _ in range(CHANGES):
        seq, at = await asyncio.to_thread(book)
        committed[seq] = at
        await asyncio.sleep(0.15)
    await asyncio.sleep(1.5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out, missing = [], 0
    for client in clients:
        for seq, at in committed.items():
            if seq in client.arrived:
                out.append(client.arrived[seq] - at)
            else:
                missing += 1
    if missing:
        print(f"  ({missing} deliveries of {len(clients) * len(committed)} did not arrive)")
    return out


def dashboard_latency(name: str, data_dir: Path, url: str) -> None:
    from scoring.models import LedgerLine
    from services.db import Database
    from services.inbox import deliver

    runtime = _runtime(data_dir, url)
    ctx = runtime.ctx
    informant, token = _seed(ctx)
    # PostgreSQL: book through another pool, as the scoring process would (NOTIFY wakes the API)
    booking_db = Database(url) if url else ctx.db
    subscription = runtime.subscription("scoring")
    counter = iter(range(10_000, 1_000_000))

    def book_one() -> tuple[int, float]:
        sid = next(counter)
        for event in _events(informant, sid, 2):
            deliver(booking_db, subscription, event)
        committed = time.perf_counter()
        with booking_db.session() as session:
            seq = session.scalar(sa.select(sa.func.max(LedgerLine.seq)))
        return int(seq), committed

    port = _free_port()
    server, thread = _serve(runtime.app, port)
    try:
        time.sleep(0.5)
        figures = {}
        cookie = _signed_in(port, token)
        for viewers in (1, VIEWERS):
            lat = asyncio.run(_latencies(port, cookie, viewers, book_one))
            lat.sort()
            figures[viewers] = (statistics.median(lat), lat[int(len(lat) * 0.95) - 1], lat[-1])
        one, many = figures[1], figures[VIEWERS]
        print(f"{name}: dashboard update latency, commit to viewer: 1 viewer p50 "
              f"{one[0] * 1000:.0f} ms; {VIEWERS} viewers p50 {many[0] * 1000:.0f} ms, "
              f"p95 {many[1] * 1000:.0f} ms, max {many[2] * 1000:.0f} ms; ratio p50 "
              f"{many[0] / one[0]:.1f}")
    finally:
        server.should_exit = True
        thread.join(10)
        if booking_db is not ctx.db:
            booking_db.dispose()
        runtime.close()


def main() -> None:
    print(f"ledger: {N_EVENTS} events (items received and published) vs {N_EVENTS} INSERTs; "
          f"stream: {CHANGES} score changes to 1 and {VIEWERS} SSE viewers")
    with databases() as found:
        for name, data_dir, url in found:
            ledger_throughput(name, data_dir / "ledger", url)
    with databases() as found:
        for name, data_dir, url in found:
            dashboard_latency(name, data_dir / "stream", url)


if __name__ == "__main__":
    main()
