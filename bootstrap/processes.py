"""The processes of Baosong, one row each: what ``baosong <name>`` runs.

A row names the components whose consumers the process runs, how it runs them on RabbitMQ
(``runner``), whether it relays the outbox, where the scheduled jobs run, and whether it serves
HTTP. A new process is one row; a new component's consumers are its name in a row (a new
consumer of a component already listed needs nothing here).

On the embedded queue (no ``BAOSONG_BROKER_URL``) every process runs its consumers as threads on
the queue in the database, whatever the runner, and the jobs of the same components in a thread:
``runner`` and ``jobs`` say what RabbitMQ changes. ``beat`` needs a broker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal


class Runner(StrEnum):
    """How a process runs its consumers on RabbitMQ."""

    # a thread per consumer, taking what waits in batches: the publisher writes the pages items
    # share once a batch, the ledger moves each total once a batch (more processes scale out)
    KOMBU = "kombu consumer"
    CELERY = "Celery worker"  # a pool of processes, an event a task: CPU-heavy work per item


class Jobs(StrEnum):
    """Where the scheduled jobs of every component run, on RabbitMQ."""

    NONE = "none"  # not here: ``baosong beat`` sends them
    THREAD = "thread"  # a thread of this process checks the clock every second
    BEAT = "Celery beat"  # sent on a schedule to a one-process worker beside it


ALL: Final = "all"


@dataclass(frozen=True)
class Process:
    name: str
    consumers: tuple[str, ...] | Literal["all"] = ()  # components whose consumers it runs
    runner: Runner | None = None
    relay: bool = False  # a Celery worker relays from its pool, after each task
    jobs: Jobs = Jobs.NONE
    http: bool = False  # serves the web app (API, pages, site)
    needs_broker: bool = False
    embedded_jobs: bool = True  # on the embedded queue, runs its components' jobs itself
    command: str = ""  # the command that runs it: its own name unless another command's form

    def __post_init__(self) -> None:
        if self.consumers and self.runner is None:
            raise ValueError(f"{self.name}: a process with consumers needs a runner")
        if self.runner is Runner.CELERY and self.jobs is Jobs.BEAT:
            raise ValueError(f"{self.name}: one Celery app a process (a worker, or beat)")

    def runs_consumers_of(self, component: str) -> bool:
        return self.consumers == ALL or component in self.consumers


def _by_name(rows: Iterable[Process]) -> Mapping[str, Process]:
    return {row.name: row for row in rows}


PROCESSES: Final = _by_name([
    Process("up", consumers=ALL, runner=Runner.KOMBU, relay=True, jobs=Jobs.THREAD, http=True),
    # ``up`` on more than one core: it serves HTTP, relays and runs the jobs, and leaves the
    # consumers to the pipeline processes it starts beside itself, so that no upload waits for
    # the interpreter lock behind a photo being resized
    Process("front", relay=True, jobs=Jobs.THREAD, http=True, command="up"),
    # what ``up`` starts beside itself on the embedded queue, one for each core: the same
    # consumers over the same database, taking turns at the queue (the jobs stay in up)
    Process("pipeline", consumers=ALL, runner=Runner.KOMBU, relay=True, embedded_jobs=False),
    Process("api", consumers=("ingest",), runner=Runner.KOMBU, relay=True, http=True),
    Process("worker", consumers=("moderation",), runner=Runner.CELERY, relay=True),
    Process("publisher", consumers=("publisher",), runner=Runner.KOMBU, relay=True),
    Process("scoring", consumers=("scoring",), runner=Runner.KOMBU, relay=True),
    Process("beat", jobs=Jobs.BEAT, needs_broker=True),
])
