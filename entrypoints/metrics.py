"""Where a process keeps its metrics and where it shows them, decided as it starts.

- The API and ``up`` answer ``/metrics`` on their own port; every other process on
  ``BAOSONG_METRICS_PORT`` (0: none).
- A Celery worker's handlers run in its pool's children, and ``up``'s in its pipeline helpers
  too: such a process keeps its values in files (prometheus_client's multiprocess mode), which
  the children (forked) and the helpers (started with the environment) write to as well, and the
  process that serves the scrape sums up. A helper shows nothing itself: its ``up`` does.
"""

from __future__ import annotations

import logging

from prometheus_client import start_http_server

from bootstrap import Runner, Runtime
from services import metrics

log = logging.getLogger(__name__)


def expose(runtime: Runtime, *, helpers: int = 0, helper: bool = False) -> None:
    """Before anything is observed (and before the Celery pool forks or helpers start)."""
    s, row = runtime.ctx.settings, runtime.process
    pool = runtime.celery is not None and row.runner is Runner.CELERY
    if (pool and s.metrics_port) or helpers:
        metrics.use_files(metrics.files_folder(s.data_dir, row.name))
    for consumer in _own_consumers(runtime):
        metrics.CONSUMER_PROCESSES.labels(consumer=consumer).set(1)
    if runtime.app is not None or helper or not s.metrics_port:
        return
    # A thread of the Celery worker's main process, which the pool forks: it holds none of the
    # locks the children use (they observe into files of their own; the scrape only reads them
    # and asks RabbitMQ on a connection of its own), so a fork in the middle of a scrape is safe
    start_http_server(s.metrics_port, addr=s.host, registry=runtime.metrics.registry)
    log.info("metrics at http://%s:%d/metrics", s.host, s.metrics_port)


def _own_consumers(runtime: Runtime) -> list[str]:
    return [sub.consumer for component in runtime.components
            if runtime.process.runs_consumers_of(component.name)
            for sub in component.subscriptions]
