"""Celery workers for the consumers whose work is heavy (screening, rendering photos).

Events arrive as CloudEvents on the consumer's queue, not as Celery task messages, so the worker
runs a thin bridge: it takes each event off the queue, sends it as a task to the consumer's task
queue (with publisher confirms), and only then acks the event. The pool runs the task: it calls
the same handler, behind the same inbox, as every other runner. A crash anywhere repeats a step;
the inbox drops the repeat.

The pool process that ran a handler relays the events it wrote at once, for speed; a row it
could not send stays in the outbox for the relay of any other process. The worker's main process
runs no thread of ours: a thread alive at fork time can leave a lock held in the children.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import amqp.exceptions
import kombu.exceptions
from celery import Celery, bootsteps
from celery.exceptions import Reject
from celery.worker.consumer import Consumer as CeleryConsumer
from kombu import Consumer
from kombu.transport.base import Message

from services.bus.amqp import Topology
from services.bus.retry import deliver_with_retry
from services.bus.timeouts import TASK_TIME_LIMIT
from services.contracts import check
from services.db import Database
from services.events import Event, InvalidEvent
from services.inbox import Subscription
from services.outages import cause, log_failure
from services.outbox import Relay
from services.settings import Settings

log = logging.getLogger(__name__)

TASK_NAME = "baosong.handle_event"

# what a publish raises when the broker goes away under it
BROKER_LOST: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError, amqp.exceptions.ConnectionError,
    amqp.exceptions.RecoverableConnectionError, OSError)


@dataclass
class WorkerRuntime:
    """What a worker process needs to run handlers; built once per process (after the fork)."""

    db: Database
    subscriptions: dict[str, Subscription]
    relay: Relay | None = None


def make_celery(
    settings: Settings,
    topology: Topology,
    consumers: Sequence[str],
    build_runtime: Callable[[], WorkerRuntime],
) -> Celery:
    """A Celery app that runs the handlers of ``consumers``."""
    app = Celery("baosong", broker=settings.broker_url, set_as_current=False)
    task_queues = [topology.task_queue(c) for c in consumers]
    app.conf.update(
        # Ack after the handler's commit: a worker that dies mid-task gets the task again.
        task_acks_late=True,
        # ...even when the pool child is killed by a signal (acks_late alone would still ack).
        task_reject_on_worker_lost=True,
        # A task that raised goes to the dead letters instead of being acked and forgotten.
        task_acks_on_failure_or_timeout=False,
        # With late acks, a process reserves one message at a time: nothing waits in memory.
        worker_prefetch_multiplier=1,
        # A task whose ack can no longer reach the broker would run twice in parallel.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # Without confirms a publish during a broker restart can vanish silently.
        broker_transport_options={"confirm_publish": True, "max_retries": 5},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for its broker however long it is out
        broker_heartbeat=30,  # notices a half-open connection
        # Well under RabbitMQ's consumer_timeout (30 min): a stuck task is killed and redelivered.
        task_time_limit=TASK_TIME_LIMIT,
        task_soft_time_limit=TASK_TIME_LIMIT * 9 // 10,
        task_queues=task_queues,
        task_default_queue=task_queues[0].name if task_queues else "celery",
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # effects live in the database; no result backend needed
        worker_hijack_root_logger=False,
        worker_concurrency=settings.worker_concurrency,
        worker_consumer=f"{__name__}:WorkerConsumer",
    )
    runtimes: dict[int, WorkerRuntime] = {}

    def runtime() -> WorkerRuntime:
        pid = os.getpid()  # a forked pool child must not reuse its parent's connections
        if pid not in runtimes:
            for inherited in runtimes.values():
                inherited.db.forget_connections()
            runtimes.clear()
            runtimes[pid] = build_runtime()
        return runtimes[pid]

    def try_again(task: Any, exc: BaseException | None) -> BaseException:
        """Back to the task queue for another try; past the delivery limit, the dead letters."""
        if topology.counts_deliveries:  # the quorum queue counts the deliveries
            return Reject(repr(exc), requeue=True)
        # a classic queue counts nothing: a copy with one more retry, sent (with confirms)
        # before this one is acked; past the limit ``retry`` raises and the task is rejected
        try:
            return task.retry(exc=exc, countdown=0,
                              max_retries=settings.delivery_limit, throw=False)
        except Exception as last:
            log.error("%s: dead-lettering after %d tries: %r", task.request.id,
                      settings.delivery_limit + 1, last)
            return Reject(repr(last), requeue=False)

    @app.task(name=TASK_NAME, bind=True)
    def handle_event(task: Any, consumer: str, envelope: dict[str, Any]) -> bool:
        rt = runtime()
        if not topology.counts_deliveries and task.request.delivery_info.get("redelivered"):
            # delivered before and never acked (its process died in the handler): a try that
            # counts, or a handler that kills its process would loop forever
            raise try_again(task, None)
        try:
            handled = deliver_with_retry(rt.db, rt.subscriptions[consumer],
                                         Event.from_dict(envelope))
        except InvalidEvent as exc:  # its data does not fit its type: no retry can help
            raise Reject(repr(exc), requeue=False) from exc
        except Exception as exc:
            log_failure(log, exc, "%s failed on %s", consumer, envelope.get("id"))
            raise try_again(task, exc) from exc
        if rt.relay is not None:
            try:
                rt.relay.drain()
            except Exception as exc:  # the row stays in the outbox; another relay sends it
                log_failure(log, exc, "could not relay now; left to the next relay")
        return handled

    class EventBridge(bootsteps.ConsumerStep):
        """Turns the events on each consumer's queue into tasks on its task queue."""

        def get_consumers(self, channel: Any) -> list[Consumer]:
            topology.declare(channel.connection.client)
            for queue in task_queues:
                queue(channel).declare()
            return [
                Consumer(channel, queues=[topology.queues[c]], on_message=self._bridge(c),
                         prefetch_count=20)
                for c in consumers
            ]

        def _bridge(self, consumer: str) -> Callable[[Message], None]:
            queue = topology.task_queue(consumer)

            def on_message(message: Message) -> None:
                try:
                    event = Event.from_json(message.body)
                    check(event)  # before it becomes a task: a bad payload is never retried
                except InvalidEvent as exc:
                    log.error("dead-lettering a message on %s that is not a valid event: %s",
                              consumer, exc)
                    message.reject(requeue=False)
                    return
                try:
                    handle_event.apply_async(
                        args=(consumer, event.to_dict()), task_id=f"{consumer}:{event.id}",
                        queue=queue.name, routing_key=queue.routing_key, exchange=queue.exchange,
                    )
                except BROKER_LOST as exc:
                    # The broker went away under the publish. Raised as it is, kombu's error is
                    # "unrecoverable" to Celery, which stops the worker for good; as a lost
                    # connection, Celery reconnects (waiting for the broker as long as it
                    # takes) and the broker redelivers this unacked event (the task id makes a
                    # repeat harmless, and the inbox drops a second handling)
                    raise ConnectionError(f"broker lost while bridging {event.id}: "
                                          f"{cause(exc)}") from exc
                message.ack()

            return on_message

    app.steps["consumer"].add(EventBridge)
    return app


def run_worker(app: Celery, argv: Sequence[str]) -> int:
    """Run ``celery worker`` for ``app`` and return its exit status.

    Not ``app.start``: it runs the same command without click's standalone mode, in which click
    (8.2 on) returns the status instead of raising it, and ``start`` drops what is returned. A
    worker that stopped with an "Unrecoverable error" then exited 0, and its supervisor did not
    start it again."""
    from celery.bin.celery import celery as command
    from click.exceptions import Exit

    command.params[0].default = app
    try:
        status = command.main(args=list(argv), standalone_mode=False)
    except Exit as exc:  # click before 8.2 raised it
        status = exc.exit_code
    finally:
        command.params[0].default = None
    return status if isinstance(status, int) else 0


class WorkerConsumer(CeleryConsumer):
    """Celery's consumer without native delayed delivery: Baosong sends no ETA or countdown
    tasks, and the step would declare a ladder of ``celery_delayed_*`` queues for nothing."""

    class Blueprint(CeleryConsumer.Blueprint):
        default_steps: ClassVar[list[str]] = [
            s for s in CeleryConsumer.Blueprint.default_steps
            if not s.endswith(":DelayedDelivery")]
