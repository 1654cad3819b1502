"""What operators see of a running Baosong: every metric's name and help text, in one place.

Two kinds of figures:

- **observed** as work happens (handling time per event, upload → published, refused uploads):
  prometheus_client metrics in this module, labelled only by what has few values (a consumer,
  an event type a subscription handles, a refusal's reason, a kind): never an id.
- **read at scrape time** (queue depth and age, outbox lag, dead letters): a process hands
  :class:`Exposition` the probes of its own queues; each scrape asks them once, by indexed
  ``min()`` and per-queue counts, never by scanning a table that grows for ever.

A process whose work runs in other processes (a Celery worker's pool, ``up``'s pipeline helpers)
keeps its values in files (:func:`use_files`) that the process serving the scrape sums up.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PREFIX = "baosong_"
FILES_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own name for the files' folder

# seconds: a handler's work is milliseconds to seconds (a batch of photos); an item's way from
# upload to the site is a second on a quiet day and minutes in a backlog
_HANDLING_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                     10.0, 30.0, 60.0)
_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
                    1800.0, 3600.0)

# --- observed as work happens --------------------------------------------------------------------

HANDLING = Histogram(
    "baosong_handling_seconds",
    "Time a consumer's handler took for one event (its slow part before the transaction and "
    "its part in it), by consumer and event type",
    ["consumer", "event_type"], buckets=_HANDLING_BUCKETS)
BATCH = Histogram(
    "baosong_batch_seconds",
    "Time one transaction of a consumer took, from its first read to its commit (the handlers, "
    "what a batch shares, the inbox), by consumer",
    ["consumer"], buckets=_HANDLING_BUCKETS)
WAIT = Histogram(
    "baosong_event_wait_seconds",
    "Time from an event's creation to its handling, by consumer: how long events wait in its "
    "queue (on RabbitMQ the queue's age is seen only this way)",
    ["consumer"], buckets=_LATENCY_BUCKETS)
UPLOAD_TO_PUBLISHED = Histogram(
    "baosong_upload_to_published_seconds",
    "Time from an item's upload to its first publication on the site, by kind",
    ["kind"], buckets=_LATENCY_BUCKETS)
UPLOADS_REJECTED = Counter(
    "baosong_uploads_rejected",
    "Uploads of submissions refused (4xx) before anything was stored, by reason",
    ["reason"])
WRITE_LOCK = Histogram(
    "baosong_sqlite_write_lock_seconds",
    "Embedded mode (one SQLite file, one writer at a time): time a thread waited for the "
    "file's write turn (phase=\"waited\") and then held it (phase=\"held\"), by holder (the "
    "thread's role: a consumer, the relay, the API); held seconds summed over the holders near "
    "the wall clock's mean the file is the bottleneck",
    ["holder", "phase"], buckets=_HANDLING_BUCKETS)
CONSUMER_PROCESSES = Gauge(
    "baosong_consumer_processes",
    "Processes alive that run a consumer, by consumer",
    ["consumer"], multiprocess_mode="livesum")

OBSERVED = (HANDLING, BATCH, WAIT, UPLOAD_TO_PUBLISHED, UPLOADS_REJECTED, WRITE_LOCK,
            CONSUMER_PROCESSES)


# The labelled histograms a consumer observes into, looked up once (prometheus_client's
# ``labels()`` costs more than the observation itself); the labels' values are few.
@functools.lru_cache(maxsize=4096)
def handling(consumer: str, event_type: str) -> Histogram:
    return HANDLING.labels(consumer=consumer, event_type=event_type)


@functools.lru_cache(maxsize=1024)
def waited(consumer: str) -> Histogram:
    return WAIT.labels(consumer=consumer)


@functools.lru_cache(maxsize=1024)
def batch(consumer: str) -> Histogram:
    return BATCH.labels(consumer=consumer)


@functools.lru_cache(maxsize=256)
def write_lock(thread_name: str) -> tuple[Histogram, Histogram]:
    """The write lock's (waited, held) histograms for a thread of this name: labelled by its
    role, so that the numbered threads of a role (``consumer-scoring-0``, the web server's
    worker threads) are one holder and the label's values stay few."""
    holder = _holder(thread_name)
    return (WRITE_LOCK.labels(holder=holder, phase="waited"),
            WRITE_LOCK.labels(holder=holder, phase="held"))


def _holder(thread_name: str) -> str:
    if thread_name.startswith("consumer-"):  # consumer-<queue>-<n> (entrypoints.threads)
        return re.sub(r"-\d+$", "", thread_name.removeprefix("consumer-"))
    if thread_name.startswith("AnyIO worker thread"):  # the API's requests
        return "api"
    # numbers out wherever they are (ThreadPoolExecutor-0_1, Thread-7 (run)): one value a role
    return re.sub(r"[-_ ]?\d+", "", thread_name) or "other"


# --- read at scrape time -------------------------------------------------------------------------

QUEUE_DEPTH = "baosong_queue_depth"
QUEUE_AGE = "baosong_queue_oldest_age_seconds"
OUTBOX_WAITING = "baosong_outbox_waiting"
OUTBOX_AGE = "baosong_outbox_oldest_age_seconds"
DEAD_LETTERS = "baosong_dead_letters"
PROBE_UP = "baosong_probe_up"

READ_AT_SCRAPE: dict[str, str] = {
    QUEUE_DEPTH: "Events waiting in a consumer's queue, by consumer",
    QUEUE_AGE: "Age of the oldest event waiting in a consumer's queue, by consumer (the "
               "embedded queue; RabbitMQ tells no age without its management plugin)",
    OUTBOX_WAITING: "Outbox rows written and not yet sent on",
    OUTBOX_AGE: "Age of the oldest outbox row not yet sent on (0 when none waits)",
    DEAD_LETTERS: "Messages in the dead letters, by consumer (on RabbitMQ the consumers share "
                  "one dead-letter queue: consumer=\"all\")",
    PROBE_UP: "Whether a probe of the last scrape could read what it reads (1) or not (0)",
}


def names() -> dict[str, str]:
    """Every metric name Baosong exposes (as a scrape shows it) with its help text."""
    found = dict(READ_AT_SCRAPE)
    for metric in OBSERVED:
        for family in metric.describe():
            suffixes = {"histogram": ("_bucket", "_count", "_sum"),
                        "counter": ("_total",)}.get(family.type, ("",))
            for suffix in suffixes:
                found[family.name + suffix] = family.documentation
    return found


# --- after the commit ----------------------------------------------------------------------------

_PENDING = "baosong.metrics.after_commit"


def after_commit(session: Session, observe: Callable[[], None]) -> None:
    """Observe when ``session``'s transaction commits (a rolled-back one, tried again, would
    count twice). The database calls :func:`committed` after every commit."""
    session.info.setdefault(_PENDING, []).append(observe)


def committed(session: Session) -> None:
    for observe in session.info.pop(_PENDING, ()):
        observe()


# --- probes read at scrape time ------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """One figure a probe read: a metric name of ``READ_AT_SCRAPE``, its labels, its value."""

    name: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


class Probe(Protocol):
    """Reads the state of queues (or the outbox) when a scrape asks."""

    name: str

    def read(self) -> Iterable[Reading]:
        """The figures now; raises when what it reads is out of reach."""


class _ReadAtScrape(Collector):
    def __init__(self, probes: Sequence[Probe]) -> None:
        self.probes = probes

    def collect(self) -> Iterator[Metric]:
        families: dict[str, GaugeMetricFamily] = {}

        def family(name: str, labels: Sequence[str]) -> GaugeMetricFamily:
            if name not in families:
                families[name] = GaugeMetricFamily(name, READ_AT_SCRAPE[name],
                                                   labels=list(labels))
            return families[name]

        for probe in self.probes:
            try:
                readings = list(probe.read())
            except Exception as exc:  # one probe out of reach leaves the others' figures
                log.warning("metrics: probe %s failed: %s", probe.name, exc)
                family(PROBE_UP, ["probe"]).add_metric([probe.name], 0)
                continue
            family(PROBE_UP, ["probe"]).add_metric([probe.name], 1)
            for reading in readings:
                keys = [k for k, _ in reading.labels]
                family(reading.name, keys).add_metric([v for _, v in reading.labels],
                                                      reading.value)
        yield from families.values()


class _Observed(Collector):
    """This process's observed metrics: from memory, or summed from the files of every process
    that writes to the same folder (its own included)."""

    def collect(self) -> Iterator[Metric]:
        directory = files_dir()
        if directory is None:
            yield from REGISTRY.collect()  # ours, and the process's CPU and memory
            return
        mark_dead_processes(directory)
        yield from multiprocess.MultiProcessCollector(None, path=str(directory)).collect()


class Exposition:
    """What one process shows at ``/metrics``: the observed metrics and its probes."""

    def __init__(self, probes: Sequence[Probe] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Observed())
        self.registry.register(_ReadAtScrape(probes))

    def render(self) -> bytes:
        """The Prometheus text exposition format."""
        return generate_latest(self.registry)


# --- values in files, for processes whose work runs in other processes ---------------------------

def files_dir() -> Path | None:
    directory = os.environ.get(FILES_ENV)
    return Path(directory) if directory else None


def use_files(directory: Path) -> None:
    """Keep this process's values (and those of the processes it forks or starts, which inherit
    the environment) in files in ``directory``, emptied first.

    prometheus_client picks memory or files when it is imported, from the environment; a process
    that decides later switches here, before it has observed anything (every metric of this
    module has labels, so none holds a value before its first observation). The write turns
    its start took (the schema, the migrations) are let go: they are not the work operators
    watch, and a process has no other thread yet to take one meanwhile.
    """
    WRITE_LOCK.clear()
    write_lock.cache_clear()
    if any(family.samples for metric in OBSERVED for family in metric.collect()):
        raise RuntimeError("metrics were observed before use_files(): they would be lost")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[FILES_ENV] = str(directory)
    values.ValueClass = values.get_value_class()


def mark_dead_processes(directory: Path) -> None:
    """Forget the live gauges of processes that are gone (killed too, which no hook would see);
    their counters and histograms stay counted."""
    for path in glob.glob(str(directory / "gauge_live*_*.db")):
        found = re.search(r"_(\d+)\.db$", path)
        if found and not _alive(int(found.group(1))):
            multiprocess.mark_process_dead(int(found.group(1)), str(directory))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def files_folder(data_dir: Path, process: str) -> Path:
    """A folder of this process's own under ``data_dir``, for its values' files (the folders of
    earlier processes that are gone are removed)."""
    root = data_dir / "metrics"
    if root.is_dir():
        for old in root.iterdir():
            pid = old.name.rpartition("-")[2]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    shutil.rmtree(old)
    return root / f"{process}-{os.getpid()}"
