"""One process of Baosong, wired and not yet running: what ``bootstrap()`` hands back.

Whatever runs them, the handlers are the same functions behind the same outbox and inbox; only
the transport between the outbox and the handlers differs (the embedded queue or RabbitMQ). The
entry points run a runtime (threads, HTTP, a Celery worker); tests and benchmarks drive it step
by step instead, with ``settle()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bootstrap.processes import Process
from services.bus.amqp import EventConsumer
from services.bus.local import LocalConsumer, QueueWatch
from services.component import Component, Job
from services.context import Context
from services.inbox import Subscription
from services.metrics import Exposition
from services.outbox import Relay

if TYPE_CHECKING:
    from celery import Celery
    from fastapi import FastAPI

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CeleryMain:
    """What a process run by Celery runs instead of threads of ours: the app, built when the
    process starts it (never in a pool child), and the arguments of its ``worker_main``."""

    app: Callable[[], Celery]
    argv: Sequence[str]


@dataclass
class Runtime:
    process: Process
    ctx: Context
    components: Sequence[Component]
    relay: Relay | None = None
    queue_consumers: list[LocalConsumer] = field(default_factory=list)  # the embedded queue's
    queue_watch: QueueWatch | None = None  # wakes them when another process fills their queue
    kombu_consumers: list[EventConsumer] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)  # run here on a clock
    app: FastAPI | None = None
    celery: CeleryMain | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)  # the broker connections
    # run once before the process starts its work: the queues as the settings want them
    startup_checks: list[Callable[[], None]] = field(default_factory=list)
    # what this process shows at /metrics: its observed figures and its own queues' state
    metrics: Exposition = field(default_factory=Exposition)

    @property
    def subscriptions(self) -> list[Subscription]:
        """Every component's consumers (this process runs those of ``process.consumers``)."""
        return [sub for component in self.components for sub in component.subscriptions]

    def subscription(self, consumer: str) -> Subscription:
        return next(sub for sub in self.subscriptions if sub.consumer == consumer)

    def settle(self, rounds: int = 50) -> None:
        """Relay and deliver on the embedded queue until nothing moves, with no thread."""
        if self.relay is None or not self.ctx.settings.embedded_bus:
            raise RuntimeError("settle() drives the embedded queue; this runtime has none")
        for _ in range(rounds):
            moved = self.relay.drain()
            for consumer in self.queue_consumers:
                moved += consumer.drain()
            if not moved:
                return
        raise AssertionError("the pipeline did not settle")

    def close_connections(self) -> None:
        """Close the broker connections (each once)."""
        while self.closers:
            try:
                self.closers.pop()()
            except Exception:
                log.exception("while closing")

    def close(self) -> None:
        self.close_connections()
        self.ctx.db.dispose()
