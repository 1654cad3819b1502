"""The dead letters: what they hold, and sending them back to their consumer's queue.

On RabbitMQ the dead letters are the messages in ``<prefix>.dead``: an event (or, from a Celery
worker, the task that carried it), with the broker's ``x-death`` record of where it came from and
why. Reading them takes each without an ack and gives it back when done, so a look moves
nothing. A replay publishes the event to its consumer's own queue (through the default exchange,
so that no other consumer gets it again) with publisher confirms, and acks the dead copy only
after the confirm: a replay that dies midway leaves the dead copy where it was, and a copy that
went out twice is harmless, since the inbox decides each event once.

On the embedded queue the dead letters are rows of ``dead_letters``; a replay moves a row back
into ``local_queue`` in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from kombu import Connection, Producer
from kombu.transport.base import Message

from services.bus.amqp import ATTEMPTS_HEADER, RETRY_POLICY, Topology, connect
from services.bus.celery_worker import TASK_NAME
from services.bus.local import DeadLetter, LocalMessage
from services.db import Database
from services.settings import Settings

# what a dead copy carries of its past, dropped on replay so that the event starts afresh
PAST = ("x-death", "x-first-death-reason", "x-first-death-queue", "x-first-death-exchange",
        "x-last-death-reason", "x-last-death-queue", "x-last-death-exchange",
        "x-delivery-count", ATTEMPTS_HEADER)


class NoSuchQueue(Exception):
    """``--queue`` names no consumer's queue."""


@dataclass(frozen=True)
class Dead:
    """One dead letter, as ``baosong dead list`` shows it."""

    queue: str  # the consumer whose queue it died in
    event_id: str
    type: str
    subject: str
    reason: str  # why it first died: delivery_limit, rejected (not an event, or out of tries)…
    times: int  # how many tries it had
    when: dt.datetime | None

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        out["when"] = self.when.isoformat() if self.when else None
        return out


def _event_of(body: bytes | str, headers: dict[str, Any]) -> dict[str, Any]:
    """The CloudEvents envelope of a dead message (a Celery task carries it as its argument)."""
    try:
        decoded = json.loads(body)
    except (ValueError, TypeError):
        return {}
    if headers.get("task") == TASK_NAME and isinstance(decoded, list) and decoded:
        args = decoded[0]
        decoded = args[1] if isinstance(args, list) and len(args) > 1 else {}
    return decoded if isinstance(decoded, dict) else {}


def _tries(headers: dict[str, Any], deaths: list[dict[str, Any]], limit: int) -> int:
    if headers.get("x-first-death-reason") == "delivery_limit":  # the quorum queue's count
        return limit + 1
    if ATTEMPTS_HEADER in headers:  # counted by a consumer on a classic queue: failed before
        return int(headers[ATTEMPTS_HEADER]) + 1
    if "retries" in headers and headers.get("task") == TASK_NAME:  # a Celery task's retries
        return int(headers.get("retries") or 0) + 1
    if "x-delivery-count" in headers:  # a quorum queue's count of earlier deliveries
        return int(headers["x-delivery-count"]) + 1
    return int(deaths[0].get("count", 1)) if deaths else 1


class AmqpDeadLetters:
    def __init__(self, settings: Settings, topology: Topology) -> None:
        self.settings = settings
        self.topology = topology

    @contextmanager
    def _taken(self) -> Iterator[tuple[Connection, list[Message]]]:
        """Every dead message, taken unacked; those not acked go back when the channel closes."""
        with connect(self.settings, heartbeat=0) as connection:
            self.topology.declare(connection)
            channel = connection.channel()
            try:
                dead = self.topology.dead_queue(channel)
                count = dead.queue_declare(passive=True).message_count
                taken = []
                for _ in range(count):
                    message = dead.get(no_ack=False)
                    if message is None:
                        break
                    taken.append(message)
                yield connection, taken
            finally:
                channel.close()  # what was not acked is the queue's again, in its order

    def _read(self, message: Message) -> Dead:
        headers: dict[str, Any] = dict(message.headers or {})
        deaths = list(headers.get("x-death") or [])
        first = str(headers.get("x-first-death-queue") or (deaths[-1]["queue"] if deaths else ""))
        event = _event_of(message.body, headers)
        when = None
        for death in deaths:  # the most recent first: the first death is the last of them
            if death.get("queue") == first and isinstance(death.get("time"), dt.datetime):
                when = death["time"]
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return Dead(queue=self.topology.consumer_of(first) or first,
                    event_id=str(event.get("id") or message.properties.get("message_id") or ""),
                    type=str(event.get("type") or ""), subject=str(event.get("subject") or ""),
                    reason=str(headers.get("x-first-death-reason") or
                               (deaths[-1].get("reason") if deaths else "") or ""),
                    times=_tries(headers, deaths, self.topology.delivery_limit), when=when)

    def read_all(self) -> list[Dead]:
        with self._taken() as (_, messages):
            return [self._read(m) for m in messages]

    def replay(self, wanted: Callable[[Dead], bool]) -> list[Dead]:
        done = []
        with self._taken() as (connection, messages):
            producer = Producer(connection.default_channel)
            for message in messages:
                dead = self._read(message)
                if not wanted(dead) or dead.queue not in self.topology.queues:
                    continue
                headers = {k: v for k, v in (message.headers or {}).items() if k not in PAST}
                body = message.body
                if headers.pop("task", None) == TASK_NAME:  # a task: send back what it carried
                    body = json.dumps(_event_of(message.body, {"task": TASK_NAME}),
                                      ensure_ascii=False).encode()
                    headers = {}
                producer.publish(body, exchange="",
                                 routing_key=self.topology.queues[dead.queue].name,
                                 headers=headers, content_type="application/cloudevents+json",
                                 content_encoding="utf-8", delivery_mode=2,
                                 message_id=dead.event_id or None, retry=True,
                                 retry_policy=RETRY_POLICY,
                                 timeout=self.settings.confirm_timeout,
                                 confirm_timeout=self.settings.confirm_timeout)
                message.ack()  # only now: the copy is confirmed in its consumer's queue
                done.append(dead)
        return done


class LocalDeadLetters:
    def __init__(self, db: Database, delivery_limit: int) -> None:
        self.db = db
        self.delivery_limit = delivery_limit

    def _read(self, row: DeadLetter) -> Dead:
        try:
            event = json.loads(row.payload)
        except ValueError:
            event = {}
        event = event if isinstance(event, dict) else {}
        invalid = row.error.startswith("InvalidEvent")  # dead at once: no try could help
        return Dead(queue=row.queue, event_id=row.event_id, type=str(event.get("type") or ""),
                    subject=str(event.get("subject") or ""), reason=row.error[:200],
                    times=1 if invalid else self.delivery_limit, when=row.failed_at)

    def read_all(self) -> list[Dead]:
        with self.db.session() as session:
            rows = session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id))
            return [self._read(row) for row in rows]

    def replay(self, wanted: Callable[[Dead], bool]) -> list[Dead]:
        done = []
        with self.db.transaction() as session:
            for row in session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id)):
                dead = self._read(row)
                if wanted(dead):
                    session.add(LocalMessage(queue=row.queue, event_id=row.event_id,
                                             payload=row.payload))
                    session.delete(row)
                    done.append(dead)
        return done


def selection(queues: list[str], queue: str | None, event_id: str | None,
              prefix: str) -> Callable[[Dead], bool]:
    """Which dead letters a replay takes: of one consumer's queue (by its name, or the
    queue's full name), one event, or all."""
    if queue is not None:
        name = queue.removeprefix(f"{prefix}.")
        if name not in queues:
            raise NoSuchQueue(queue)
        queue = name
    return lambda d: ((queue is None or d.queue == queue)
                      and (event_id is None or d.event_id == event_id))
