"""The distributed bus: the kombu topic exchange ``baosong.events`` on RabbitMQ.

Every consumer has a durable queue bound to the event types it handles, with a dead-letter
exchange, so a message that keeps failing ends in ``<prefix>.dead`` instead of looping. A quorum
queue (the default) counts the deliveries itself (``x-delivery-limit``); a classic queue (a
single-node dev broker) counts nothing, so the consumer counts its tries in a header of a copy it
sends back to the queue, and rejects the message to the dead letters past the limit. The relay
declares the whole topology before it publishes: a topic exchange confirms and silently drops a
message that no queue is bound to yet.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import amqp.exceptions
from kombu import Connection, Consumer, Exchange, Producer, Queue, binding
from kombu.mixins import ConsumerMixin
from kombu.transport.base import Message
from sqlalchemy.orm import Session

from services import metrics
from services.bus.retry import deliver_batch_with_retry, deliver_with_retry
from services.bus.timeouts import PREFETCH
from services.db import Database
from services.events import Event, InvalidEvent
from services.inbox import Subscription
from services.outages import log_failure
from services.settings import Settings

log = logging.getLogger(__name__)

RETRY_POLICY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 1.0, "interval_max": 5.0}

# on a classic queue: how many deliveries of this message failed before this copy was sent
ATTEMPTS_HEADER = "x-baosong-attempts"


class QueueMismatch(Exception):
    """A queue exists on the broker with other arguments (another type, another delivery
    limit): RabbitMQ refuses to redeclare it (PRECONDITION_FAILED) and will not convert it."""

    def __init__(self, queue: str, arguments: dict[str, Any], detail: str) -> None:
        self.queue = queue
        super().__init__(
            f"队列 {queue} 已存在，但类型或参数与设置不符（设置要求 {arguments}）。"
            f"RabbitMQ 不能改变已有队列的类型：先让它排空，再删除"
            f"（rabbitmqctl delete_queue {queue}），然后重启；"
            f"或改回原来的 BAOSONG_QUEUE_TYPE / BAOSONG_DELIVERY_LIMIT，或换一个 "
            f"BAOSONG_QUEUE_PREFIX。(queue {queue} exists with other arguments than the settings "
            f"ask for; RabbitMQ cannot change a queue's type: drain and delete it, or keep the "
            f"old settings, or use another queue prefix. Broker said: {detail})")


class Topology:
    """The exchange, one queue per consumer, and the dead letters."""

    def __init__(self, settings: Settings, subscriptions: Iterable[Subscription]) -> None:
        prefix = settings.queue_prefix
        self.exchange = Exchange(settings.exchange, type="topic", durable=True)
        self.dead_exchange = Exchange(f"{settings.exchange}.dead", type="fanout", durable=True)
        self.dead_queue = Queue(f"{prefix}.dead", self.dead_exchange, durable=True)
        self.counts_deliveries = settings.queue_type == "quorum"
        self.queue_arguments: dict[str, Any] = {
            "x-queue-type": settings.queue_type,
            "x-dead-letter-exchange": self.dead_exchange.name,
        }
        if self.counts_deliveries:  # replicated, and it counts deliveries (poison ends in .dead)
            self.queue_arguments["x-delivery-limit"] = settings.delivery_limit
        self.delivery_limit = settings.delivery_limit
        self.queues: dict[str, Queue] = {}
        for sub in subscriptions:
            self.queues[sub.consumer] = Queue(
                f"{prefix}.{sub.consumer}",
                bindings=[binding(self.exchange, routing_key=t) for t in sub.event_types],
                durable=True,
                queue_arguments=self.queue_arguments,
            )

    def task_queue(self, consumer: str) -> Queue:
        """The Celery queue that a Celery-run consumer's work goes through."""
        name = f"{self.queues[consumer].name}.tasks"
        # a topic exchange: Celery's delayed delivery on quorum queues routes through topics
        return Queue(name, Exchange(name, type="topic", durable=True), routing_key=name,
                     durable=True, queue_arguments=self.queue_arguments)

    @property
    def entities(self) -> list[Any]:
        return [self.exchange, self.dead_exchange, self.dead_queue, *self.queues.values()]

    def consumer_of(self, queue_name: str) -> str | None:
        """The consumer whose queue (or Celery task queue) is called ``queue_name``."""
        for consumer, queue in self.queues.items():
            if queue_name in (queue.name, f"{queue.name}.tasks"):
                return consumer
        return None

    def declare(self, connection: Connection, extra: Iterable[Any] = ()) -> None:
        with connection.channel() as channel:
            for entity in [*self.entities, *extra]:
                try:
                    entity(channel).declare()  # a bound copy: these objects are shared by threads
                except amqp.exceptions.PreconditionFailed as exc:
                    raise QueueMismatch(entity.name, dict(getattr(entity, "queue_arguments", {})
                                                         or {}), str(exc)) from exc


def check_topology(settings: Settings, topology: Topology, extra: Iterable[Any] = ()) -> None:
    """Declare everything once at start, so that queues made with other arguments stop the
    process with :class:`QueueMismatch` instead of a consumer failing over and over. A broker
    that is out of reach is no error here: the consumers wait for it."""
    try:
        with Connection(settings.broker_url, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
            topology.declare(connection, extra)
    except QueueMismatch:
        raise
    except Exception as exc:
        log.warning("could not check the queues now (%s); the consumers will wait for the broker",
                    exc.__class__.__name__)


def connect(settings: Settings, *, heartbeat: int = 30) -> Connection:
    # Confirms make every publish wait for the broker's ack: without them a publish during a
    # memory alarm or restart "succeeds" and the message is gone.
    return Connection(
        settings.broker_url,
        transport_options={"confirm_publish": True, "max_retries": 3},
        heartbeat=heartbeat,
        connect_timeout=10,
    )


class AmqpTransport:
    """Publishes events to the topic exchange with publisher confirms."""

    def __init__(self, settings: Settings, topology: Topology) -> None:
        self.settings = settings
        self.topology = topology
        # No heartbeats: an idle relay sends none, and the broker would close it for that.
        self.connection = connect(settings, heartbeat=0)
        self._declared = False

    def publish(self, session: Session, events: Sequence[Event]) -> None:
        try:
            self._publish(events)
        except Exception:
            self._reset()  # start the next attempt on a fresh connection
            raise

    def _reset(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.release()
        self.connection = connect(self.settings, heartbeat=0)
        self._declared = False

    def _publish(self, events: Sequence[Event]) -> None:
        if not self._declared:
            self.topology.declare(self.connection)
            self._declared = True
        producer = self.connection.Producer()
        for event in events:
            producer.publish(
                event.to_json().encode(),
                exchange=self.topology.exchange,
                routing_key=event.type,
                content_type="application/cloudevents+json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=event.id,
                retry=True,
                retry_policy=RETRY_POLICY,
                timeout=self.settings.confirm_timeout,
                confirm_timeout=self.settings.confirm_timeout,
            )

    def close(self) -> None:
        self.connection.release()


class EventConsumer(ConsumerMixin):
    """Runs one subscription on its queue: handle, commit, then ack.

    A subscription that takes batches gets up to that many messages from the broker at once
    (the prefetch) and handles what has come within ``linger`` seconds of the first in one
    transaction, then acks them all; under load the batches fill, on a quiet day each message
    waits no more than the linger. A batch that fails is handled again message by message.
    """

    def __init__(self, settings: Settings, topology: Topology, db: Database,
                 subscription: Subscription, *, prefetch: int = PREFETCH) -> None:
        self.connection = connect(settings)
        self.topology = topology
        self.db = db
        self.subscription = subscription
        self.queue = topology.queues[subscription.consumer]
        self.batch = subscription.batch or settings.event_batch
        self.prefetch = max(prefetch, self.batch)
        self.linger = settings.batch_linger_seconds
        self.stop_event = threading.Event()
        self._waiting: list[tuple[Message, Event]] = []
        self._first_at = 0.0
        self._settings = settings
        self._sender: Connection | None = None  # classic queues: sends a failed message back

    def run(self, _tokens: int = 1, **kwargs: Any) -> None:
        # drain in slices of the linger, so that a batch that stops filling is handled in time
        interval = self.linger if self.batch > 1 else 1.0
        super().run(_tokens, safety_interval=interval, **kwargs)

    def get_consumers(self, consumer_cls: Any, channel: Any) -> list[Consumer]:
        self.topology.declare(self.connection)
        return [consumer_cls(queues=[self.queue], on_message=self.on_message,
                             prefetch_count=self.prefetch)]

    def on_consume_ready(self, connection: Any, channel: Any, consumers: Any,
                         **kwargs: Any) -> None:
        # a new connection: whatever was waiting came on the old channel, and the broker
        # delivers it again
        self._waiting = []

    def on_message(self, message: Message) -> None:
        try:
            event = Event.from_json(message.body)
        except InvalidEvent:
            log.error("%s: dead-lettering a message that is not an event", self.queue.name)
            message.reject(requeue=False)
            return
        if not self.topology.counts_deliveries and message.delivery_info.get("redelivered"):
            # delivered before and never acked (the process died in the handler, or lost its
            # connection): a try that counts, or a handler that kills its process loops forever
            self._try_again(message, "redelivered")
            return
        if self.batch <= 1:
            self._one(message, event)
            return
        if not self._waiting:
            self._first_at = time.monotonic()
        self._waiting.append((message, event))
        if len(self._waiting) >= self.batch:
            self._handle_waiting()

    def on_iteration(self) -> None:
        if self._waiting and time.monotonic() - self._first_at >= self.linger:
            self._handle_waiting()

    def _handle_waiting(self) -> None:
        taken, self._waiting = self._waiting, []
        try:
            deliver_batch_with_retry(self.db, self.subscription, [e for _, e in taken],
                                     stop=self.stop_event,
                                     keepalive=self.connection.heartbeat_check)
        except Exception as exc:
            log_failure(log, exc, "%s: a batch of %d failed; handling them one by one",
                        self.queue.name, len(taken))
            for message, event in taken:
                self._one(message, event)
            return
        for message, _ in taken:
            message.ack()

    def _one(self, message: Message, event: Event) -> None:
        try:
            deliver_with_retry(self.db, self.subscription, event, stop=self.stop_event,
                               keepalive=self.connection.heartbeat_check)
        except InvalidEvent as exc:  # its data does not fit its type: no retry can help
            log.error("%s: dead-lettering %s %s: %s", self.queue.name, event.type, event.id, exc)
            message.reject(requeue=False)
            return
        except Exception as exc:
            log_failure(log, exc, "%s failed on %s %s; requeued", self.queue.name, event.type,
                        event.id)
            self._try_again(message, repr(exc))
            return
        message.ack()

    def _try_again(self, message: Message, why: str) -> None:
        """Back to the queue for another try, or to the dead letters past the delivery limit."""
        if self.topology.counts_deliveries:
            message.requeue()  # the quorum queue counts it; past the limit it goes to .dead
            return
        failed = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        if failed > self.topology.delivery_limit:  # as a quorum queue counts: limit + 1 tries
            log.error("%s: dead-lettering a message after %d tries (%s)", self.queue.name,
                      failed, why)
            message.reject(requeue=False)
            return
        # a copy that carries the count, confirmed before this one is acked: a crash between
        # the two leaves both, and the inbox handles the event once
        if self._sender is None:
            self._sender = connect(self._settings, heartbeat=0)
        Producer(self._sender.default_channel).publish(
            message.body, exchange="", routing_key=self.queue.name,
            headers={**(message.headers or {}), ATTEMPTS_HEADER: failed},
            content_type=message.content_type, content_encoding=message.content_encoding,
            delivery_mode=2, message_id=message.properties.get("message_id"), retry=True,
            retry_policy=RETRY_POLICY, timeout=self._settings.confirm_timeout,
            confirm_timeout=self._settings.confirm_timeout)
        message.ack()

    def stop(self) -> None:
        self.should_stop = True
        self.stop_event.set()
        if self._sender is not None:
            with contextlib.suppress(Exception):
                self._sender.release()


class AmqpQueueProbe:
    """What a scrape shows of RabbitMQ's queues: messages ready in each consumer's queues (the
    event queue, and a Celery-run consumer's task queue) and in the dead letters, each read by
    a passive ``queue_declare`` (no management plugin). A queue not declared yet reads 0."""

    name = "rabbitmq"

    def __init__(self, settings: Settings, queues: Mapping[str, Sequence[str]],
                 dead_queue: str) -> None:
        self.settings = settings
        self.queues = queues  # consumer → its queues' names
        self.dead_queue = dead_queue
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # scrapes may come side by side

    def read(self) -> Iterator[metrics.Reading]:
        with self._lock:
            try:
                counts = self._counts([*(q for qs in self.queues.values() for q in qs),
                                       self.dead_queue])
            except Exception:
                self.close()  # the next scrape starts on a fresh connection
                raise
        for consumer, names in self.queues.items():
            yield metrics.Reading(metrics.QUEUE_DEPTH, sum(counts[n] for n in names),
                                  (("consumer", consumer),))
        yield metrics.Reading(metrics.DEAD_LETTERS, counts[self.dead_queue],
                              (("consumer", "all"),))

    def _counts(self, names: Sequence[str]) -> dict[str, int]:
        if self._connection is None:
            self._connection = connect(self.settings, heartbeat=0)
            self._connection.ensure_connection(max_retries=1)
        counts: dict[str, int] = {}
        channel = self._connection.channel()
        try:
            for name in names:
                try:
                    counts[name] = channel.queue_declare(queue=name, passive=True).message_count
                except amqp.exceptions.NotFound:
                    counts[name] = 0  # the broker closed the channel for it: take another
                    channel = self._connection.channel()
        finally:
            with contextlib.suppress(Exception):
                channel.close()
        return counts

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.release()
            self._connection = None
