"""The distributed mode's clock: ``baosong beat`` (Celery beat and its worker, on RabbitMQ)
penalises a unit that let a 约稿 deadline pass, in PostgreSQL, once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bootstrap import build_context, prepare
from scoring.commissions import create_topic
from scoring.models import LedgerLine
from services.db import utcnow
from services.identity import add_unit
from services.settings import Settings
from tests.support import wait_until


def test_beat_penalises_a_missed_deadline_once(amqp_settings: Settings, pg_url: str,
                                                tmp_path: Path) -> None:
    settings = amqp_settings.model_copy(update={"database_url": pg_url})
    ctx = build_context(settings)
    prepare(ctx)
    with ctx.db.transaction() as session:
        add_unit(session, "beichuan", "北川县经济和信息化局", "county")
        create_topic(session, title="一季度工业经济运行情况", description="",
                     deadline=utcnow() + dt.timedelta(seconds=2), units=["beichuan"], by=None)
    env = {**os.environ, "BAOSONG_DATA_DIR": str(settings.data_dir),
           "BAOSONG_DATABASE_URL": pg_url, "BAOSONG_BROKER_URL": settings.broker_url,
           "BAOSONG_EXCHANGE": settings.exchange, "BAOSONG_QUEUE_PREFIX": settings.queue_prefix,
           "BAOSONG_COMMISSION_CHECK_SECONDS": "1"}
    log = (tmp_path / "beat.log").open("w")
    process = subprocess.Popen([sys.executable, "-c", "from entrypoints.cli import main; main()",
                                "beat"], env=env, cwd=tmp_path, stdout=log,
                               stderr=subprocess.STDOUT)

    def penalties() -> list[tuple[str, int]]:
        with ctx.db.session() as session:
            return [(line.rule, line.points) for line in session.scalars(
                sa.select(LedgerLine).where(LedgerLine.unit_slug == "beichuan"))]

    try:
        wait_until(penalties, timeout=90, what="the beat to book the missed 约稿")
        time.sleep(3)  # a few more ticks: still one line
        assert penalties() == [("commission.missed", -5)]
    finally:
        process.terminate()
        process.wait(timeout=30)
        ctx.db.dispose()
