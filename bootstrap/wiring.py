"""``bootstrap(settings, process)``: the one place that wires a process of Baosong.

The command line calls it for every process, each Celery pool child calls it again after the
fork, and tests and benchmarks start Baosong with it too. It builds the context and the
components, and then what the process's row of the table asks for, on the bus the settings name.
It starts nothing: the caller runs the runtime (or drives it step by step).
"""

from __future__ import annotations

import logging

from bootstrap import components
from bootstrap.components import build_components, build_context
from bootstrap.processes import PROCESSES, Jobs, Process, Runner
from bootstrap.runtime import CeleryMain, Runtime
from bootstrap.web import create_app
from services.bus.amqp import (
    AmqpQueueProbe,
    AmqpTransport,
    EventConsumer,
    Topology,
    check_topology,
)
from services.bus.beat import beat_argv, make_beat
from services.bus.celery_worker import WorkerRuntime, make_celery
from services.bus.local import LocalConsumer, LocalQueueProbe, LocalTransport, QueueWatch
from services.bus.timeouts import Hold, celery_hold, kombu_hold, too_long
from services.inbox import Subscription
from services.metrics import Exposition, Probe
from services.outbox import OutboxProbe, Relay
from services.settings import Settings

log = logging.getLogger(__name__)


class NeedsBroker(Exception):
    """The process runs only on RabbitMQ, and the settings name none."""


def bootstrap(settings: Settings, process: str | Process, *, prepare: bool = True) -> Runtime:
    """Process ``process`` (a name in the table, or a row), wired on ``settings``.

    ``prepare`` brings the schema up to date and makes the buckets first; a Celery pool child
    skips it, since its parent has just done it.
    """
    row = process if isinstance(process, Process) else PROCESSES[process]
    if row.needs_broker and settings.embedded_bus:
        raise NeedsBroker(row.name)
    ctx = build_context(settings)
    if prepare:
        components.prepare(ctx)
    built = build_components(ctx)
    runtime = Runtime(row, ctx, built, app=create_app(ctx, built) if row.http else None)
    if settings.embedded_bus:
        _on_the_embedded_queue(runtime)
    else:
        _on_rabbitmq(runtime)
    if runtime.app is not None:
        runtime.app.state.metrics = runtime.metrics
    return runtime


def _own_subscriptions(runtime: Runtime) -> list[Subscription]:
    return [sub for component in runtime.components
            if runtime.process.runs_consumers_of(component.name)
            for sub in component.subscriptions]


def _on_the_embedded_queue(runtime: Runtime) -> None:
    """Consumers as threads on the queue in the database, whatever the runner; the jobs of the
    components whose consumers the process runs (or of all, for a process whose row says so),
    on a clock of its own."""
    ctx, s, row = runtime.ctx, runtime.ctx.settings, runtime.process
    transport = LocalTransport(ctx.db, runtime.subscriptions)  # the relay fills every queue
    if row.relay:
        runtime.relay = Relay(ctx.db, transport, poll_seconds=s.poll_seconds)
    for sub in _own_subscriptions(runtime):
        for _ in range(s.consumer_threads):
            runtime.queue_consumers.append(LocalConsumer(
                ctx.db, sub, lease_seconds=s.lease_seconds, delivery_limit=s.delivery_limit,
                poll_seconds=s.poll_seconds, wake=transport.wakes[sub.consumer],
                batch=s.event_batch))
    if runtime.queue_consumers:
        runtime.queue_watch = QueueWatch(ctx.db, runtime.queue_consumers, s.poll_seconds)
    # the process serving HTTP shows every queue: up's front runs none of the consumers, which
    # its pipeline processes beside it run (and show nothing themselves)
    probed = runtime.subscriptions if row.http else _own_subscriptions(runtime)
    probes: list[Probe] = [OutboxProbe(ctx.db)] if row.relay else []
    if probed:
        probes.append(LocalQueueProbe(ctx.db, [sub.consumer for sub in probed]))
    runtime.metrics = Exposition(probes)
    runtime.jobs = [job for component in runtime.components
                    if row.jobs is Jobs.THREAD  # up, or its front: every component's
                    or (row.embedded_jobs and row.runs_consumers_of(component.name))
                    for job in component.jobs]


def _on_rabbitmq(runtime: Runtime) -> None:
    ctx, s, row = runtime.ctx, runtime.ctx.settings, runtime.process
    topology = Topology(s, runtime.subscriptions)
    if row.relay:
        transport = AmqpTransport(s, topology)
        runtime.relay = Relay(ctx.db, transport, poll_seconds=s.poll_seconds)
        runtime.closers.append(transport.close)
    mine = _own_subscriptions(runtime)
    holds: list[Hold] = []
    task_queues = []
    runtime.metrics = Exposition(_rabbitmq_probes(runtime, topology, mine))
    if row.runner is Runner.KOMBU:
        runtime.kombu_consumers = [EventConsumer(s, topology, ctx.db, sub) for sub in mine]
        holds = [kombu_hold(s, sub) for sub in mine]
    elif row.runner is Runner.CELERY:
        consumers = [sub.consumer for sub in mine]
        holds = [celery_hold(c) for c in consumers]
        task_queues = [topology.task_queue(c) for c in consumers]

        def pool_child() -> WorkerRuntime:
            """After the fork: the same bootstrap, on connections of the child's own."""
            child = bootstrap(s, row, prepare=False)
            return WorkerRuntime(db=child.ctx.db, relay=child.relay,
                                 subscriptions={sub.consumer: sub for sub in child.subscriptions})

        runtime.celery = CeleryMain(
            app=lambda: make_celery(s, topology, consumers, pool_child),
            argv=["worker", "--loglevel", s.log_level, "--hostname", f"{row.name}@%h",
                  "--concurrency", str(s.worker_concurrency),
                  "--without-gossip", "--without-mingle"])

    def queues_as_set() -> None:
        for problem in too_long(s, holds):
            log.warning(problem)
        check_topology(s, topology, task_queues)

    runtime.startup_checks.append(queues_as_set)
    every_job = [job for component in runtime.components for job in component.jobs]
    if row.jobs is Jobs.THREAD:
        runtime.jobs = every_job
    elif row.jobs is Jobs.BEAT:
        runtime.celery = CeleryMain(
            app=lambda: make_beat(s, every_job, lambda: ctx),
            argv=beat_argv(s, s.data_dir / "celerybeat-schedule"))


def _rabbitmq_probes(runtime: Runtime, topology: Topology,
                     mine: list[Subscription]) -> list[Probe]:
    """The queues of the consumers this process runs (a Celery worker's task queues too), and
    the outbox where it relays; a Celery worker's main process reads no database (its pool
    children are forked from it, and must inherit no connection)."""
    row, s = runtime.process, runtime.ctx.settings
    celery = row.runner is Runner.CELERY
    probes: list[Probe] = [OutboxProbe(runtime.ctx.db)] if row.relay and not celery else []
    if mine:
        queues = {sub.consumer: [topology.queues[sub.consumer].name]
                  + ([topology.task_queue(sub.consumer).name] if celery else [])
                  for sub in mine}
        probe = AmqpQueueProbe(s, queues, topology.dead_queue.name)
        runtime.closers.append(probe.close)
        probes.append(probe)
    return probes
