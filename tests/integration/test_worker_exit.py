"""A Celery worker that cannot go on exits non-zero, so that its supervisor starts it again
(issue 15, item 6): Celery's own ``app.start`` returned nothing, and such a worker exited 0."""

from __future__ import annotations

from typing import Any

from celery import Celery, bootsteps

from services.bus.celery_worker import run_worker


class _CannotGoOn(bootsteps.StartStopStep):
    """Fails the consumer's start the way an unexpected error in the bridge would."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, parent: Any) -> None:
        raise RuntimeError("the worker cannot go on")


def _worker(amqp_url: str) -> Celery:
    app = Celery("baosong-exit-test", broker=amqp_url, set_as_current=False)
    app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)
    return app


ARGV = ["worker", "--pool=solo", "--without-heartbeat", "--without-mingle",
        "--without-gossip", "--loglevel", "WARNING"]


def test_a_worker_stopped_by_an_unrecoverable_error_exits_non_zero(amqp_url: str) -> None:
    app = _worker(amqp_url)
    app.steps["consumer"].add(_CannotGoOn)
    assert run_worker(app, ARGV) != 0
