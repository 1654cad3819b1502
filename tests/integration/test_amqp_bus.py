"""The bus on the real RabbitMQ: the relay publishes with confirms to the topic exchange, a
kombu consumer handles each event once, and what is not an event ends in the dead letters."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from bootstrap import metadata
from services import migrate, outbox
from services.bus.amqp import AmqpTransport, EventConsumer, Topology
from services.contracts.submissions import Received
from services.db import Database
from services.events import Event, EventType
from services.inbox import Subscription
from services.outbox import Relay
from services.settings import Settings
from tests.support import wait_until

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "events" / "wire.json"

effects = sa.Table("amqp_effects", sa.MetaData(),
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("value", sa.String(100)))


def record(session: Session, event: Event) -> None:
    session.execute(effects.insert().values(value=event.data["value"]))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'amqp.db'}"
    migrate.upgrade(url, metadata())
    database = Database(url)
    effects.create(database.engine)
    yield database
    database.dispose()


def values(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(row.value for row in session.execute(sa.select(effects)))


SUB = Subscription(consumer="recorder", handlers={"thing.happened": record})


@pytest.fixture
def consumer(amqp_settings: Settings, db: Database) -> Iterator[EventConsumer]:
    topology = Topology(amqp_settings, [SUB])
    running = EventConsumer(amqp_settings, topology, db, SUB)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.stop()
    thread.join(10)


def test_events_relayed_to_rabbitmq_are_handled_once(amqp_settings: Settings, db: Database,
                                                     consumer: EventConsumer) -> None:
    transport = AmqpTransport(amqp_settings, consumer.topology)
    relay = Relay(db, transport)
    with db.transaction() as session:
        for n in range(20):
            outbox.emit(session, Event(type="thing.happened", data={"value": f"v{n:02d}"}))
        outbox.emit(session, Event(type="other.thing", data={"value": "nobody listens"}))
    assert relay.drain() == 21
    wait_until(lambda: len(values(db)) == 20, what="20 effects")

    # a relay that died between the confirm and marking the rows sends them all again
    with db.session() as session:
        again = [Event.from_json(row.payload) for row in session.scalars(
            sa.select(outbox.OutboxMessage).order_by(outbox.OutboxMessage.seq))]
    with db.transaction() as session:
        transport.publish(session, again)
    with Connection(amqp_settings.broker_url) as conn, conn.channel() as channel:
        wait_until(lambda: consumer.topology.queues["recorder"](channel).queue_declare(
            passive=True).message_count == 0, what="the queue to drain")
    assert values(db) == [f"v{n:02d}" for n in range(20)]
    transport.close()


def test_a_message_that_is_not_an_event_is_dead_lettered(amqp_settings: Settings,
                                                         consumer: EventConsumer) -> None:
    topology = consumer.topology
    with Connection(amqp_settings.broker_url) as conn:
        topology.declare(conn)
        conn.Producer().publish(b"{not json", exchange=topology.exchange,
                                routing_key="thing.happened", content_type="application/json")
        with conn.channel() as channel:
            dead = topology.dead_queue(channel)
            wait_until(lambda: dead.queue_declare(passive=True).message_count == 1,
                       what="the broken message in the dead letters")


def test_the_relay_survives_losing_its_connection(amqp_settings: Settings, db: Database,
                                                  consumer: EventConsumer) -> None:
    transport = AmqpTransport(amqp_settings, consumer.topology)
    relay = Relay(db, transport)
    with db.transaction() as session:
        outbox.emit(session, Event(type="thing.happened", data={"value": "before"}))
    relay.drain()
    transport.connection.collect()  # the broker connection is gone (a restart, a network cut)
    with db.transaction() as session:
        outbox.emit(session, Event(type="thing.happened", data={"value": "after"}))
    try:
        relay.drain()
    except Exception:
        relay.drain()  # the failed attempt reset the connection; the next one goes through
    wait_until(lambda: values(db) == ["after", "before"], what="both effects")
    transport.close()


def test_an_event_whose_data_does_not_fit_its_type_is_dead_lettered(
        amqp_settings: Settings, db: Database) -> None:
    """A well-formed envelope whose ``submission.received`` data lacks the submission: the
    consumer rejects it on its first delivery (no handler runs) and takes the next one."""
    seen = []
    sub = Subscription(consumer="screening", handlers={
        EventType.RECEIVED: lambda session, event: seen.append(Received.of(event).submission)})
    topology = Topology(amqp_settings, [sub])
    running = EventConsumer(amqp_settings, topology, db, sub)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        sample = json.loads(WIRE.read_text(encoding="utf-8"))[EventType.RECEIVED][0]
        broken = {k: v for k, v in sample.items() if k != "submission"}
        transport = AmqpTransport(amqp_settings, topology)
        with db.transaction() as session:
            transport.publish(session, [Event(type=EventType.RECEIVED, data=broken),
                                        Event(type=EventType.RECEIVED, data=sample)])
        transport.close()
        wait_until(lambda: seen == [sample["submission"]], what="the good event handled")
        with Connection(amqp_settings.broker_url) as conn, conn.channel() as channel:
            dead = topology.dead_queue(channel)
            wait_until(lambda: dead.queue_declare(passive=True).message_count == 1,
                       what="the bad payload in the dead letters")
            message = dead.get(no_ack=True)
            assert message is not None and json.loads(message.body)["data"] == broken
            # rejected at once, not after the quorum queue's delivery limit
            assert message.headers["x-death"][0]["reason"] == "rejected"
    finally:
        running.stop()
        thread.join(10)
