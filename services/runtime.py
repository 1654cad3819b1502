"""Running the handlers: the threads of the embedded mode and of the distributed processes.

Whatever runs them, the handlers are the same functions behind the same outbox and inbox; only
the transport between the outbox and the handlers differs (the embedded queue or RabbitMQ).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from services.bus.amqp import AmqpTransport, EventConsumer, Topology
from services.bus.local import LocalConsumer, LocalTransport
from services.component import Component, Job
from services.context import Context
from services.inbox import Subscription
from services.outbox import Relay

log = logging.getLogger(__name__)


def subscriptions_of(components: Iterable[Component]) -> list[Subscription]:
    return [sub for component in components for sub in component.subscriptions]


class Runtime:
    """Background threads that stop together."""

    def __init__(self, ctx: Context, components: Sequence[Component]) -> None:
        self.ctx = ctx
        self.components = components
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self._stoppers: list[Callable[[], None]] = []
        self.relay: Relay | None = None

    def _spawn(self, name: str, target: Callable[[], object]) -> None:
        def run() -> None:
            try:
                target()
            except Exception:
                log.exception("thread %s died", name)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start_embedded(self, consume: Iterable[Subscription] | None = None) -> None:
        """Relay and consumers on the durable queue in the database (all, or ``consume``)."""
        s = self.ctx.settings
        subscriptions = subscriptions_of(self.components)
        transport = LocalTransport(self.ctx.db, subscriptions)
        self.relay = Relay(self.ctx.db, transport, poll_seconds=s.poll_seconds)
        self._spawn("outbox-relay", lambda: self.relay.run(self.stop_event))  # type: ignore[union-attr]
        for sub in subscriptions if consume is None else consume:
            for n in range(s.consumer_threads):
                consumer = LocalConsumer(
                    self.ctx.db, sub, lease_seconds=s.lease_seconds,
                    delivery_limit=s.delivery_limit, poll_seconds=s.poll_seconds,
                    wake=transport.wakes[sub.consumer])
                self._spawn(f"consumer-{sub.consumer}-{n}",
                            lambda c=consumer: c.run(self.stop_event))  # type: ignore[misc]

    def start_relay(self, topology: Topology) -> None:
        """The outbox relay to RabbitMQ."""
        transport = AmqpTransport(self.ctx.settings, topology)
        self.relay = Relay(self.ctx.db, transport, poll_seconds=self.ctx.settings.poll_seconds)
        self._spawn("outbox-relay", lambda: self.relay.run(self.stop_event))  # type: ignore[union-attr]
        self._stoppers.append(transport.close)

    def start_amqp_consumers(self, topology: Topology,
                             subscriptions: Iterable[Subscription]) -> None:
        """kombu consumers, one thread each, for ``subscriptions``."""
        for sub in subscriptions:
            consumer = EventConsumer(self.ctx.settings, topology, self.ctx.db, sub)
            self._spawn(f"amqp-{sub.consumer}", consumer.run)
            self._stoppers.append(consumer.stop)

    def start_jobs(self, jobs: Sequence[Job] | None = None) -> None:
        jobs = list(jobs if jobs is not None else
                    [job for component in self.components for job in component.jobs])
        if not jobs:
            return

        def loop() -> None:
            due = {job.name: time.monotonic() + min(job.every_seconds, 5.0) for job in jobs}
            while not self.stop_event.wait(1.0):
                for job in jobs:
                    if time.monotonic() >= due[job.name]:
                        try:
                            job.run(self.ctx)
                        except Exception:
                            log.exception("job %s failed", job.name)
                        due[job.name] = time.monotonic() + job.every_seconds

        self._spawn("jobs", loop)

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        for stopper in self._stoppers:
            try:
                stopper()
            except Exception:
                log.exception("while stopping")
        for thread in self.threads:
            thread.join(timeout)
