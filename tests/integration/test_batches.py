"""Batches: under load a consumer takes what is waiting in one transaction, each event still
decided once by the inbox; a bad event fails alone; the publisher writes each page once a batch
and leaves the site a rebuild would write; the ledger moves each total once a batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from bootstrap import metadata
from publisher.rebuild import rebuild
from publisher.site import Site
from scoring.ledger import rebuild_totals
from scoring.models import LedgerLine, Total
from services import migrate, outbox
from services.bus.amqp import AmqpTransport, EventConsumer, Topology
from services.bus.local import DeadLetter, LocalConsumer, LocalTransport
from services.db import Database
from services.events import Event
from services.inbox import Subscription
from services.outbox import Relay
from services.settings import Settings
from tests.conftest import City
from tests.integration.test_portal_publishing import SiteWrites
from tests.support import article, photo, wait_until

effects = sa.Table("batch_effects", sa.MetaData(),
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("value", sa.String(100)))


class Recorder:
    """A consumer that records each event's value, counts its transactions (``finish`` runs once
    a transaction) and fails on the value ``poison``."""

    def __init__(self, batch: int) -> None:
        self.transactions = 0
        self.subscription = Subscription(consumer="recorder",
                                         handlers={"thing.happened": self.record},
                                         batch=batch, finish=self.finished)

    def record(self, session: Session, event: Event) -> None:
        if event.data["value"] == "poison":
            raise ValueError("this one cannot be handled")
        session.execute(effects.insert().values(value=event.data["value"]))

    def finished(self, session: Session) -> None:
        self.transactions += 1


def values(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(row.value for row in session.execute(sa.select(effects)))


def happened(value: str) -> Event:
    return Event(type="thing.happened", data={"value": value})


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (f"sqlite:///{tmp_path / 'batches.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    migrate.upgrade(url, metadata())
    database = Database(url)
    effects.create(database.engine)
    yield database
    database.dispose()


def embedded(db: Database, recorder: Recorder, limit: int = 5) -> tuple[Relay, LocalConsumer]:
    transport = LocalTransport(db, [recorder.subscription])
    consumer = LocalConsumer(db, recorder.subscription, delivery_limit=limit,
                             wake=transport.wakes["recorder"])
    return Relay(db, transport), consumer


def test_waiting_events_are_handled_a_batch_a_transaction_and_each_once(db: Database) -> None:
    recorder = Recorder(batch=25)
    relay, consumer = embedded(db, recorder)
    events = [happened(f"v{n:02d}") for n in range(60)]
    with db.transaction() as session:
        for event in events:
            outbox.emit(session, event)
    relay.drain()
    assert consumer.drain() == 60
    assert recorder.transactions == 3  # 25 + 25 + 10
    assert values(db) == [f"v{n:02d}" for n in range(60)]

    with db.transaction() as session:  # all of them again, as a relay that died would send them
        relay.transport.publish(session, events)
    assert consumer.drain() == 60
    assert recorder.transactions == 3  # nothing handled: no transaction had work to finish
    assert len(values(db)) == 60


def test_a_bad_event_in_a_batch_fails_alone_and_ends_in_the_dead_letters(db: Database) -> None:
    recorder = Recorder(batch=50)
    relay, consumer = embedded(db, recorder, limit=1)
    with db.transaction() as session:
        for value in ("a", "b", "poison", "c", "d"):
            outbox.emit(session, happened(value))
    relay.drain()
    consumer.drain()
    assert values(db) == ["a", "b", "c", "d"]
    with db.session() as session:
        dead = session.scalars(sa.select(DeadLetter)).all()
    assert [Event.from_json(d.payload).data["value"] for d in dead] == ["poison"]


def test_on_rabbitmq_what_waits_comes_in_batches_and_a_bad_event_fails_alone(
        amqp_settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'amqp-batches.db'}"
    migrate.upgrade(url, metadata())
    db = Database(url)
    effects.create(db.engine)
    recorder = Recorder(batch=25)
    topology = Topology(amqp_settings, [recorder.subscription])
    transport = AmqpTransport(amqp_settings, topology)
    relay = Relay(db, transport)
    with db.transaction() as session:  # all waiting before the consumer starts
        for n in range(60):
            outbox.emit(session, happened("poison" if n == 30 else f"v{n:02d}"))
    relay.drain()
    consumer = EventConsumer(amqp_settings, topology, db, recorder.subscription)
    assert consumer.prefetch == 25
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(values(db)) == 59, what="59 effects")
        with Connection(amqp_settings.broker_url) as conn, conn.channel() as channel:
            dead = topology.dead_queue(channel)
            wait_until(lambda: dead.queue_declare(passive=True).message_count == 1,
                       timeout=60, what="the bad event in the dead letters")
        assert values(db) == sorted(f"v{n:02d}" for n in range(60) if n != 30)
        # the first batches were full; the bad event's batch was handled again one by one
        assert recorder.transactions < 59
    finally:
        consumer.stop()
        thread.join(10)
        transport.close()
        db.dispose()


# --- the publisher and the ledger ------------------------------------------------------------

def test_a_batch_of_approvals_writes_each_page_once_and_the_site_a_rebuild_would(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    p = city.pipeline
    writes = SiteWrites(monkeypatch, p.ctx.settings.site_bucket)
    p.upload(city.informant, title="开篇", body=article(99))
    p.settle()  # the site and the units' pages exist: what follows is the rush
    writes.log.clear()
    sent = []
    for n in range(12):
        token = (city.informant, city.enterprise, city.informant2)[n % 3]
        photos = [photo(seed=40 + n)] if n % 4 == 0 else []
        response = p.upload(token, title=f"月末报送第{n}篇", body=article(n),
                            photos=photos, captions=["现场"] * len(photos))
        sent.append(response.json()["id"])
    p.settle()
    for sid in sent:
        assert p.get(f"/api/submissions/{sid}", city.moderator).json()["status"] == "published"
    puts = [key for op, key in writes.log if op == "put"]
    articles = [key for key in puts if key.startswith("articles/")]
    assert sorted(set(articles)) == sorted(articles)  # no page written twice
    assert {f"articles/{sid}.html" for sid in sent} <= set(articles)
    for shared in ("index.html", "feed.atom", "sitemap.xml", "columns/county/index.html",
                   "columns/enterprise/index.html", "units/qingshan/index.html"):
        assert puts.count(shared) == 1, shared
    assert puts[-1] == "index.html"  # the home page last

    root = p.ctx.settings.data_dir / "objects" / p.ctx.settings.site_bucket
    incremental = {f.relative_to(root).as_posix(): f.read_bytes()
                   for f in root.rglob("*") if f.is_file()}
    done = rebuild(Site(p.ctx), p.ctx.db)
    rebuilt = {f.relative_to(root).as_posix(): f.read_bytes()
               for f in root.rglob("*") if f.is_file()}
    assert done.removed == []
    assert sorted(rebuilt) == sorted(incremental)
    assert [key for key in rebuilt if rebuilt[key] != incremental[key]] == []


def test_a_batch_of_events_moves_each_total_once_and_the_totals_equal_the_ledger(
        city: City) -> None:
    p = city.pipeline
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TOTALS"):
            statements.append(statement)

    for n in range(10):
        p.upload(city.informant, title=f"县区动态{n}", body=article(200 + n))
    scoring = next(c for c in p.consumers if c.queue == "scoring")
    others = [c for c in p.consumers if c.queue != "scoring"]
    for _ in range(10):  # everything but scoring, until the items are published
        p.relay.drain()
        for consumer in others:
            consumer.drain()
    p.relay.drain()
    sa.event.listen(p.ctx.db.engine, "before_cursor_execute", count)
    try:
        assert scoring.drain() >= 30  # received, screened, approved, published: of ten items
    finally:
        sa.event.remove(p.ctx.db.engine, "before_cursor_execute", count)
    assert len(statements) == 1  # one batch, every total it moves in one statement
    p.settle()
    with p.ctx.db.session() as session:
        expected = rebuild_totals(session.scalars(sa.select(LedgerLine).order_by(LedgerLine.seq)),
                                  p.ctx.settings.timezone)
        live = {(t.scope, t.key, t.period): t.points for t in session.scalars(sa.select(Total))}
    assert live == {key: tally.points for key, tally in expected.items()}
    assert live[("unit", "qingshan", "all")] == 20  # ten articles of 2 points
