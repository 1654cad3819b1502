"""The process table decides what each process runs, on either bus, through the one bootstrap.

Building a runtime connects to no broker (kombu and Celery connect when they run), so the
RabbitMQ rows are checked here without one; tests/e2e run them for real.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from bootstrap import PROCESSES, NeedsBroker, Process, Runner, Runtime, bootstrap
from entrypoints.cli import cli
from services.settings import Settings

INGEST = ["ingest", "ingest-topics", "ingest-documents", "ingest-letters"]
MODERATION = ["moderation", "moderation-documents", "moderation-surveys", "moderation-letters"]
PUBLISHER = ["publisher", "publisher-documents", "publisher-search", "publisher-surveys",
             "publisher-letters"]
SCORING = ["scoring", "scoring-surveys", "scoring-letters", "scoring-enterprises"]
EVERY_CONSUMER = [*INGEST, *MODERATION, *PUBLISHER, *SCORING]
INGEST_JOBS = ["close-ended-surveys", "sweep-orphaned-uploads"]
MODERATION_JOBS = ["moderation.letter-deadlines"]
PUBLISHER_JOBS = ["publisher.check-links"]


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    built: list[Runtime] = []
    yield built
    for runtime in built:
        runtime.close()


def wired(runtimes: list[Runtime], settings: Settings, process: str) -> Runtime:
    runtime = bootstrap(settings, process)
    runtimes.append(runtime)
    return runtime


def on_rabbitmq(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", _env_file=None,  # type: ignore[call-arg]
                    broker_url="amqp://guest:guest@127.0.0.1:5672/never-connected")


def test_every_process_in_the_table_is_a_command_and_every_consumer_has_a_process(
        settings: Settings, runtimes: list[Runtime]) -> None:
    commands = set(typer.main.get_command(cli).commands)  # type: ignore[attr-defined]
    assert {row.command or row.name for row in PROCESSES.values()} <= commands
    up = wired(runtimes, settings, "up")
    assert [s.consumer for s in up.subscriptions] == EVERY_CONSUMER
    by_component = {c.name: [s.consumer for s in c.subscriptions] for c in up.components}
    distributed = {consumer for row in PROCESSES.values() if row.name != "up"
                   for name, consumers in by_component.items() if row.runs_consumers_of(name)
                   for consumer in consumers}
    assert distributed == set(EVERY_CONSUMER)  # none left to starve in the distributed mode


def test_on_the_embedded_queue_each_process_relays_and_runs_its_consumers_and_jobs(
        settings: Settings, runtimes: list[Runtime]) -> None:
    seen = {}
    for name in ("up", "front", "pipeline", "api", "worker", "publisher", "scoring"):
        runtime = wired(runtimes, settings, name)
        assert runtime.relay is not None and runtime.celery is None
        assert not runtime.kombu_consumers
        seen[name] = ([c.queue for c in runtime.queue_consumers],
                      sorted(job.name for job in runtime.jobs), runtime.app is not None)
    all_jobs = sorted(j.name for c in runtimes[0].components for j in c.jobs)
    assert seen == {
        "up": (EVERY_CONSUMER, all_jobs, True),
        "front": ([], all_jobs, True),  # up on more cores: the pipelines consume
        "pipeline": (EVERY_CONSUMER, [], False),  # up's helper: up runs the jobs
        "api": (INGEST, INGEST_JOBS, True),
        "worker": (MODERATION, MODERATION_JOBS, False),
        "publisher": (PUBLISHER, PUBLISHER_JOBS, False),
        "scoring": (SCORING, [j for j in all_jobs
                                if j not in INGEST_JOBS + MODERATION_JOBS + PUBLISHER_JOBS],
                    False),
    }


def test_beat_refuses_the_embedded_queue(settings: Settings) -> None:
    with pytest.raises(NeedsBroker):
        bootstrap(settings, "beat")


def test_on_rabbitmq_the_runner_of_the_row_runs_the_consumers(
        tmp_path: Path, runtimes: list[Runtime]) -> None:
    settings = on_rabbitmq(tmp_path)
    up, api, publisher, scoring = (wired(runtimes, settings, n)
                                   for n in ("up", "api", "publisher", "scoring"))
    assert [c.subscription.consumer for c in up.kombu_consumers] == EVERY_CONSUMER
    assert up.jobs and up.relay is not None and up.celery is None
    assert [c.subscription.consumer for c in api.kombu_consumers] == INGEST
    assert [c.subscription.consumer for c in publisher.kombu_consumers] == PUBLISHER
    assert [c.subscription.consumer for c in scoring.kombu_consumers] == SCORING
    # the publisher's approvals come in batches: the broker hands it a batch at a time
    approvals = publisher.kombu_consumers[0]
    assert approvals.batch == settings.publish_batch == approvals.prefetch
    for runtime in (api, publisher, scoring):  # their jobs are beat's on RabbitMQ
        assert runtime.relay is not None and not runtime.jobs and not runtime.queue_consumers

    worker = wired(runtimes, settings, "worker")
    assert worker.celery is not None and not worker.kombu_consumers and not worker.jobs
    assert "worker@%h" in worker.celery.argv
    app = worker.celery.app()
    assert [q.name for q in app.conf.task_queues] == [f"{settings.queue_prefix}.{c}.tasks"
                                                      for c in MODERATION]

    beat = wired(runtimes, settings, "beat")
    assert beat.celery is not None and beat.relay is None and not beat.jobs
    assert set(beat.celery.app().conf.beat_schedule) == {
        j.name for c in beat.components for j in c.jobs}


def test_a_new_process_is_one_row(tmp_path: Path, runtimes: list[Runtime]) -> None:
    row = Process("screening-and-scoring", consumers=("moderation", "scoring"),
                  runner=Runner.KOMBU, relay=True)
    runtime = bootstrap(on_rabbitmq(tmp_path), row)
    runtimes.append(runtime)
    assert [c.subscription.consumer for c in runtime.kombu_consumers] == [*MODERATION, *SCORING]


def test_a_process_with_consumers_needs_a_runner() -> None:
    with pytest.raises(ValueError, match="runner"):
        Process("nobody-runs-these", consumers=("scoring",))
