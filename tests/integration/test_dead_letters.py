"""Poison on the real RabbitMQ, on both queue types: a message whose handler fails every time ends
in the dead letters after the delivery limit while the others are handled; the dead letters are
listed and, once the cause is fixed, replayed to be handled once. The embedded queue's dead rows
list and replay the same way."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from bootstrap import metadata
from services import migrate
from services.bus.amqp import AmqpTransport, EventConsumer, QueueMismatch, Topology
from services.bus.dead_letters import AmqpDeadLetters, LocalDeadLetters, selection
from services.bus.local import LocalConsumer, LocalMessage, LocalTransport
from services.db import Database
from services.events import Event
from services.inbox import Subscription
from services.settings import Settings
from tests.e2e.processes import BAOSONG, Baosong
from tests.support import wait_until

effects = sa.Table("dead_effects", sa.MetaData(),
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("value", sa.String(100)))
broken = threading.Event()  # while set, the poison's handler fails
tries: list[str] = []


def record(session: Session, event: Event) -> None:
    if event.data["value"] == "poison" and broken.is_set():
        tries.append(event.id)
        raise RuntimeError("the data this event points at makes its handler fail")
    session.execute(effects.insert().values(value=event.data["value"]))


SUB = Subscription(consumer="recorder", handlers={"thing.happened": record}, batch=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    migrate.upgrade(url, metadata())
    database = Database(url)
    effects.create(database.engine)
    broken.set()
    tries.clear()
    yield database
    database.dispose()


def values(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(row.value for row in session.execute(sa.select(effects)))


def _burst() -> list[Event]:
    events = [Event(type="thing.happened", subject=f"thing/{n}", data={"value": f"v{n:02d}"})
              for n in range(12)]
    events.insert(5, Event(type="thing.happened", subject="thing/poison",
                           data={"value": "poison"}))
    return events


def _dead_count(settings: Settings, topology: Topology) -> int:
    with Connection(settings.broker_url) as conn, conn.channel() as channel:
        return int(topology.dead_queue(channel).queue_declare(passive=True).message_count)


@pytest.mark.parametrize("queue_type", ["quorum", "classic"])
def test_poison_ends_in_the_dead_letters_after_the_limit_and_replays_once_fixed(
        amqp_settings: Settings, db: Database, queue_type: str) -> None:
    settings = amqp_settings.model_copy(update={"queue_type": queue_type, "delivery_limit": 3})
    topology = Topology(settings, [SUB])
    consumer = EventConsumer(settings, topology, db, SUB)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        transport = AmqpTransport(settings, topology)
        burst = _burst()
        with db.transaction() as session:
            transport.publish(session, burst)
        transport.close()
        good = sorted(e.data["value"] for e in burst if e.data["value"] != "poison")
        wait_until(lambda: values(db) == good, what="every other message handled")
        wait_until(lambda: _dead_count(settings, topology) == 1, what="the poison dead")

        dead_letters = AmqpDeadLetters(settings, topology)
        [dead] = dead_letters.read_all()
        poison = burst[5]
        assert (dead.queue, dead.event_id, dead.type, dead.subject) == (
            "recorder", poison.id, "thing.happened", "thing/poison")
        # tried the first time and as many times again as the limit says, and no more
        assert dead.times == len(tries) == 4
        assert dead.reason == ("delivery_limit" if queue_type == "quorum" else "rejected")
        assert dead.when is not None
        assert dead_letters.read_all() == [dead]  # a look moves nothing

        broken.clear()  # the cause is fixed
        done = dead_letters.replay(selection(["recorder"], "recorder", poison.id,
                                             settings.queue_prefix))
        assert [d.event_id for d in done] == [poison.id]
        wait_until(lambda: "poison" in values(db), what="the replayed poison handled")
        assert _dead_count(settings, topology) == 0
        assert values(db) == sorted([*good, "poison"])  # once, the others not again
    finally:
        consumer.stop()
        thread.join(10)


def test_a_queue_of_the_other_type_is_a_clear_error(amqp_settings: Settings) -> None:
    quorum = Topology(amqp_settings, [SUB])
    classic = Topology(amqp_settings.model_copy(update={"queue_type": "classic"}), [SUB])
    with Connection(amqp_settings.broker_url) as conn:
        quorum.declare(conn)
        with pytest.raises(QueueMismatch) as refused:
            classic.declare(conn)
    assert refused.value.queue == f"{amqp_settings.queue_prefix}.recorder"
    assert "rabbitmqctl delete_queue" in str(refused.value)
    assert "BAOSONG_QUEUE_TYPE" in str(refused.value)


def test_a_process_whose_queues_exist_with_another_type_stops_and_says_why(
        amqp_settings: Settings, tmp_path: Path) -> None:
    app = Baosong(tmp_path, broker_url=amqp_settings.broker_url,
                  exchange=amqp_settings.exchange, queue_prefix=amqp_settings.queue_prefix)
    app.run("migrate")
    first = app.start("scoring", "scoring")  # declares its quorum queues, and runs
    try:
        wait_until(lambda: "Connected to" in app.log("scoring") or first.poll() is not None,
                   timeout=60, what="scoring to start")
        assert first.poll() is None
    finally:
        app.stop_all()
    app.env["BAOSONG_QUEUE_TYPE"] = "classic"
    done = subprocess.run([BAOSONG, "scoring"], cwd=tmp_path, env=app.env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "BAOSONG_QUEUE_TYPE" in done.stderr and "rabbitmqctl delete_queue" in done.stderr


def test_the_embedded_queue_lists_and_replays_its_dead_rows(db: Database) -> None:
    transport = LocalTransport(db, [SUB])
    consumer = LocalConsumer(db, SUB, delivery_limit=2)
    burst = _burst()
    with db.transaction() as session:
        transport.publish(session, burst)
    for _ in range(40):  # the failed one is offered again after a pause; drive it to the end
        consumer.drain()
        with db.session() as session:
            if session.scalar(sa.select(sa.func.count()).select_from(
                    sa.text("local_queue"))) == 0:
                break
        sa_sleep = threading.Event()
        sa_sleep.wait(0.5)
    dead_letters = LocalDeadLetters(db, delivery_limit=2)
    [dead] = dead_letters.read_all()
    assert (dead.queue, dead.event_id, dead.subject, dead.times) == (
        "recorder", burst[5].id, "thing/poison", 2)
    assert len(tries) == 2  # the embedded queue tries a message at most the limit's times
    assert "RuntimeError" in dead.reason

    broken.clear()
    assert [d.event_id for d in dead_letters.replay(
        selection(["recorder"], None, None, "baosong"))] == [burst[5].id]
    consumer.drain()
    assert dead_letters.read_all() == []
    assert values(db).count("poison") == 1


def test_the_command_lists_and_replays_the_embedded_dead_letters(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from entrypoints.cli import cli
    from services.bus.local import DeadLetter

    env = {"BAOSONG_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(cli, ["dead", "list"], env=env).output.startswith("没有死信")
    event = Event(type="submission.approved", subject="submission/7", data={"submission": 7})
    db = Database(f"sqlite:///{(tmp_path / 'var' / 'baosong.db').resolve()}")
    with db.transaction() as session:
        session.add(DeadLetter(queue="publisher", event_id=event.id, payload=event.to_json(),
                               error="FileNotFoundError('submissions/x.jpg')"))
    table = runner.invoke(cli, ["dead", "list"], env=env).output
    assert table.splitlines()[0].split("\t") == ["队列", "事件编号", "类型", "主题", "首次原因",
                                                 "次数", "时间"]
    assert f"publisher\t{event.id}\tsubmission.approved\tsubmission/7" in table
    [listed] = json.loads(runner.invoke(cli, ["dead", "list", "--json"], env=env).output)
    assert listed["event_id"] == event.id and listed["times"] == 5  # the default limit
    refused = runner.invoke(cli, ["dead", "replay"], env=env)
    assert refused.exit_code == 2
    assert runner.invoke(cli, ["dead", "replay", "--all", "--queue", "nosuch"],
                         env=env).exit_code == 2
    replayed = runner.invoke(cli, ["dead", "replay", event.id], env=env)
    assert replayed.exit_code == 0 and "共重放 1 条" in replayed.output
    with db.session() as session:
        assert session.scalars(sa.select(LocalMessage.event_id)).all() == [event.id]
        assert session.scalars(sa.select(DeadLetter)).all() == []
    db.dispose()
