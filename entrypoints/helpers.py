"""The processes ``baosong up`` starts beside itself on the embedded queue, so that a machine's
cores all work: each runs every consumer (``baosong pipeline``) over the same database, taking
turns at the queue with the others, while ``up`` serves HTTP and runs the jobs.

They are up's to keep: one that dies is started again, they stop when up stops, and one whose
up is gone (killed without a chance to stop them) stops by itself. Nothing is lost either way:
a message a helper held when it died is claimed again when its lease runs out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading

log = logging.getLogger(__name__)


class Helpers:
    def __init__(self, count: int, settings: dict[str, str] | None = None) -> None:
        self.count = count
        self.env = {**os.environ, **(settings or {})}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.stopping = threading.Event()
        self._watch: threading.Thread | None = None

    def _start_one(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "entrypoints", "pipeline",
                                 "--beside", str(os.getpid())], env=self.env)

    def start(self) -> Helpers:
        """Start them; before any thread of this process starts, as a fork wants it."""
        self.processes = [self._start_one() for _ in range(self.count)]
        if self.processes:
            self._watch = threading.Thread(target=self._keep, name="helpers", daemon=True)
            self._watch.start()
        return self

    def _keep(self) -> None:
        while not self.stopping.wait(1.0):
            for index, process in enumerate(self.processes):
                if process.poll() is not None and not self.stopping.is_set():
                    log.warning("pipeline helper %d exited with %s; starting it again",
                                process.pid, process.returncode)
                    self.processes[index] = self._start_one()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()


def stop_with(parent: int) -> None:
    """In a helper: stop (as on SIGTERM) once ``parent`` is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        log.warning("baosong up (%d) is gone; this helper stops too", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
