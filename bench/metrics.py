"""Metrics: what they cost the pipeline.

1. On the event path: what ``deliver_batch`` adds per handled event (two clock reads, the
   handling and wait histograms observed), with values in memory and in files (a Celery
   worker's or ``up``'s with helpers; measured in a fresh interpreter, as the switch is for the
   whole process).
2. At a scrape: the queue and outbox probes, and the whole ``/metrics`` answer, on a database
   whose outbox holds 200 000 sent rows and 1 000 waiting and whose queue holds 5 000 events;
   SQLite (embedded) and PostgreSQL (if reachable).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("BAOSONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
EVENTS = 100_000
SENT, WAITING, QUEUED = 200_000, 1_000, 5_000

_PER_EVENT = """
import sys, tempfile, time
from pathlib import Path
from services import metrics
if sys.argv[1] == "files":
    metrics.use_files(Path(tempfile.mkdtemp()) / "m")
n = int(sys.argv[2])
began = time.perf_counter()
for _ in range(n):
    start = time.perf_counter()
    metrics.handling("scoring", "submission.published").observe(time.perf_counter() - start)
    metrics.waited("scoring").observe(0.5)
print((time.perf_counter() - began) / n * 1e6)
"""


def per_event() -> None:
    root = Path(__file__).resolve().parent.parent
    for mode in ("memory", "files"):
        out = subprocess.run([sys.executable, "-c", _PER_EVENT, mode, str(EVENTS)], cwd=root,
                             capture_output=True, text=True, check=True).stdout
        print(f"per handled event, values in {mode}: {float(out):.1f} µs")


def _filled(database_url: str, data_dir: Path) -> Any:
    from bootstrap import bootstrap
    from services.bus.local import LocalMessage
    from services.db import utcnow
    from services.events import Event
    from services.outbox import OutboxMessage
    from services.settings import Settings

    runtime = bootstrap(Settings(data_dir=data_dir, database_url=database_url,  # type: ignore[call-arg]
                                 _env_file=None), "up")
    now, payload = utcnow(), Event(type="bench", data={}).to_json()
    with runtime.ctx.db.transaction() as session:
        session.execute(sa.insert(OutboxMessage), [
            {"id": str(uuid.uuid4()), "type": "bench", "subject": "", "payload": "{}",
             "created_at": now, "published_at": now if i < SENT else None}
            for i in range(SENT + WAITING)])
        session.execute(sa.insert(LocalMessage), [
            {"queue": "scoring", "event_id": str(i), "payload": payload, "available_at": now}
            for i in range(QUEUED)])
    if not runtime.ctx.db.is_sqlite:
        with runtime.ctx.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return runtime


def _median_ms(action: Any, rounds: int = 20) -> float:
    action()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def scrape(name: str, database_url: str) -> None:
    from bootstrap.runtime import Runtime
    from services.bus.local import LocalQueueProbe
    from services.outbox import OutboxProbe

    with tempfile.TemporaryDirectory() as tmp:
        runtime: Runtime = _filled(database_url, Path(tmp) / "var")
        try:
            consumers = [sub.consumer for sub in runtime.subscriptions]
            outbox = OutboxProbe(runtime.ctx.db)
            queues = LocalQueueProbe(runtime.ctx.db, consumers)
            text = runtime.metrics.render().decode()
            assert f"baosong_outbox_waiting {float(WAITING)}" in text
            print(f"{name}: outbox probe {_median_ms(lambda: list(outbox.read())):.1f} ms, "
                  f"queue probe ({len(consumers)} queues) "
                  f"{_median_ms(lambda: list(queues.read())):.1f} ms, whole /metrics "
                  f"{_median_ms(runtime.metrics.render):.1f} ms "
                  f"({SENT:,} sent and {WAITING:,} waiting outbox rows, {QUEUED:,} queued)")
        finally:
            runtime.close()


def main() -> None:
    per_event()
    scrape("SQLite", "")
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            name = f"baosong_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL: not reachable ({exc.__class__.__name__}), skipped")
        return
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        scrape("PostgreSQL", f"{base}/{name}")
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
