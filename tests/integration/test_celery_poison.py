"""Poison in a Celery worker, on both queue types: a task whose handler fails every time is
tried the first time and ``delivery_limit`` times more, then rejected to the dead letters, while
the other events are handled; ``dead replay`` sends it back as an event once the cause is fixed.
(A task that raised used to be rejected to the dead letters on its first failure.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from kombu import Connection

from bootstrap import metadata
from services import migrate
from services.bus.amqp import AmqpTransport, Topology
from services.bus.dead_letters import AmqpDeadLetters, selection
from services.db import Database
from services.events import Event
from services.settings import Settings
from tests.celery_poison_worker import EFFECTS, subscription
from tests.support import wait_until

LIMIT = 2
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("queue_type", ["quorum", "classic"])
def test_a_failing_task_is_dead_after_the_limit_and_replayed_once_fixed(
        amqp_settings: Settings, tmp_path: Path, queue_type: str) -> None:
    settings = amqp_settings.model_copy(update={"queue_type": queue_type,
                                                "delivery_limit": LIMIT, "data_dir": tmp_path})
    url = f"sqlite:///{tmp_path / 'effects.db'}"
    migrate.upgrade(url, metadata())
    db = Database(url)
    EFFECTS.create(db.engine)
    topology = Topology(settings, [subscription(tmp_path)])
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.celery_poison_worker", settings.broker_url,
             settings.exchange, settings.queue_prefix, queue_type, str(LIMIT), str(tmp_path)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        burst = [Event(type="thing.happened", data={"value": f"v{n}"}) for n in range(6)]
        burst.insert(3, Event(type="thing.happened", subject="thing/poison",
                              data={"value": "poison"}))
        transport = AmqpTransport(settings, topology)
        with db.transaction() as session:
            transport.publish(session, burst)
        transport.close()

        def values() -> list[str]:
            with db.session() as session:
                return sorted(session.scalars(sa.select(EFFECTS.c.value)))

        wait_until(lambda: values() == [f"v{n}" for n in range(6)], timeout=60,
                   what="the other events handled")
        with Connection(settings.broker_url) as conn, conn.channel() as channel:
            wait_until(lambda: topology.dead_queue(channel).queue_declare(
                passive=True).message_count == 1, timeout=60, what="the poison dead")
        tries = (tmp_path / "tries").read_text().split()
        assert tries == [burst[3].id] * (LIMIT + 1)

        dead_letters = AmqpDeadLetters(settings, topology)
        [dead] = dead_letters.read_all()
        assert (dead.queue, dead.event_id, dead.times) == ("recorder", burst[3].id, LIMIT + 1)

        (tmp_path / "fixed").touch()
        assert len(dead_letters.replay(selection(["recorder"], None, burst[3].id,
                                                 settings.queue_prefix))) == 1
        wait_until(lambda: "poison" in values(), timeout=60, what="the replayed event handled")
        assert dead_letters.read_all() == [] and values().count("poison") == 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        db.dispose()
