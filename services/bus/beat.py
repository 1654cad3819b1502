"""The distributed mode's clock: Celery beat sends each component's ``Job`` as a task on a
schedule built from the same ``Job`` list that the embedded mode runs in a thread.

``baosong beat`` runs the scheduler and a one-process worker for those tasks together (Celery's
``worker --beat``). Run one: two would send every job twice, which the jobs shrug off (each
booking has a fixed id) but which is wasted work. A job message that waits longer than its own
interval expires: the next tick sends a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from celery import Celery
from kombu import Exchange, Queue

from services.component import Job
from services.context import Context
from services.settings import Settings

log = logging.getLogger(__name__)

JOB_TASK = "baosong.run_job"


def jobs_queue(settings: Settings) -> Queue:
    name = f"{settings.queue_prefix}.jobs"
    return Queue(name, Exchange(name, type="direct", durable=True), routing_key=name,
                 durable=True)


def make_beat(settings: Settings, jobs: Sequence[Job],
              build_context: Callable[[], Context]) -> Celery:
    """A Celery app whose beat schedule sends ``jobs`` and whose worker runs them."""
    app = Celery("baosong-jobs", broker=settings.broker_url, set_as_current=False)
    queue = jobs_queue(settings)
    by_name = {job.name: job for job in jobs}
    app.conf.update(
        task_queues=[queue],
        task_default_queue=queue.name,
        task_default_exchange=queue.name,
        task_default_routing_key=queue.name,
        beat_schedule={
            job.name: {"task": JOB_TASK, "schedule": job.every_seconds, "args": (job.name,),
                       # a tick that waited longer than the interval is stale: drop it
                       "options": {"expires": max(job.every_seconds, 1.0)}}
            for job in jobs
        },
        # Ack after the job ran: a worker killed mid-job gets it again (the jobs are idempotent).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # one job at a time, none held in memory
        task_ignore_result=True,  # effects live in the database
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"confirm_publish": True},  # a tick is not lost in a restart
        worker_hijack_root_logger=False,
    )
    contexts: list[Context] = []

    @app.task(name=JOB_TASK)
    def run_job(name: str) -> None:
        job = by_name.get(name)
        if job is None:
            log.error("no job named %s", name)
            return
        if not contexts:
            contexts.append(build_context())
        job.run(contexts[0])

    return app


def beat_argv(settings: Settings, schedule: Path) -> list[str]:
    return ["worker", "--beat", "--pool", "solo", "--concurrency", "1",
            "--queues", jobs_queue(settings).name, "--schedule", str(schedule),
            "--hostname", "beat@%h", "--without-gossip", "--without-mingle",
            "--loglevel", settings.log_level]
