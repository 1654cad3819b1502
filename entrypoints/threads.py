"""A runtime's relay, consumers and jobs as background threads that stop together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from bootstrap import Runtime
from services.component import Job
from services.os_threads import name_os_thread

log = logging.getLogger(__name__)

class Threads:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    def _spawn(self, name: str, target: Callable[[], object], os_name: str = "") -> None:
        def run() -> None:
            name_os_thread(os_name or name)
            try:
                target()
            except Exception:
                log.exception("thread %s died", name)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start(self) -> Threads:
        rt, stop = self.runtime, self.stop_event
        if rt.relay is not None:
            relay = rt.relay
            self._spawn("outbox-relay", lambda: relay.run(stop))
        counts: dict[str, int] = {}
        for consumer in rt.queue_consumers:
            n = counts[consumer.queue] = counts.get(consumer.queue, -1) + 1
            self._spawn(f"consumer-{consumer.queue}-{n}",
                        lambda c=consumer: c.run(stop),  # type: ignore[misc]
                        f"q:{consumer.queue}")
        if rt.queue_watch is not None:
            watch = rt.queue_watch
            self._spawn("queue-watch", lambda: watch.run(stop))
        for kombu in rt.kombu_consumers:
            self._spawn(f"amqp-{kombu.subscription.consumer}", kombu.run,
                        f"q:{kombu.subscription.consumer}")
        if rt.jobs:
            self._spawn("jobs", lambda: self._clock(rt.jobs))
        return self

    def _clock(self, jobs: Sequence[Job]) -> None:
        due = {job.name: time.monotonic() + min(job.every_seconds, 5.0) for job in jobs}
        while not self.stop_event.wait(1.0):
            for job in jobs:
                if time.monotonic() >= due[job.name]:
                    try:
                        job.run(self.runtime.ctx)
                    except Exception:
                        log.exception("job %s failed", job.name)
                    due[job.name] = time.monotonic() + job.every_seconds

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        for kombu in self.runtime.kombu_consumers:
            try:
                kombu.stop()
            except Exception:
                log.exception("while stopping")
        self.runtime.close_connections()
        for thread in self.threads:
            thread.join(timeout)
