"""Running a process to its end: Celery's main loop, or our threads with the web app in front of
them, or our threads until a signal comes."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence

import uvicorn

from bootstrap import Runtime
from entrypoints.helpers import Helpers
from entrypoints.metrics import expose
from entrypoints.threads import Threads
from services.bus.amqp import QueueMismatch
from services.bus.celery_worker import run_worker


def run(runtime: Runtime, *, while_serving: Sequence[threading.Thread] = (),
        helpers: int = 0, helper: bool = False) -> None:
    """Run ``runtime`` until it is stopped; ``while_serving`` start with the web app, and
    ``helpers`` pipeline processes beside it (the embedded queue's way to use every core);
    ``helper``: this process is one of them (its ``up`` shows its metrics)."""
    s = runtime.ctx.settings
    try:
        for check in runtime.startup_checks:
            check()
    except QueueMismatch as exc:  # a clear word and a non-zero exit, not a consumer in a loop
        raise SystemExit(str(exc)) from None
    expose(runtime, helpers=helpers, helper=helper)
    if runtime.celery is not None:
        # no thread of ours here: the pool forks, and a thread alive at fork time can leave a lock
        # held in the children; nor a connection, which a child would inherit
        runtime.ctx.db.dispose()
        # neither ``worker_main`` nor ``start``, which both drop the worker's exit status: a
        # worker that cannot go on must exit non-zero, so that its supervisor starts it again
        status = run_worker(runtime.celery.app(), runtime.celery.argv)
        if status:
            raise SystemExit(status)
        return
    # before any thread of ours: they are forked. They address the site as up serves it (a
    # host or port given on up's command line is in no setting they would read)
    beside = Helpers(helpers, {"BAOSONG_HOST": s.host, "BAOSONG_PORT": str(s.port)}).start()
    threads = Threads(runtime).start()
    try:
        if runtime.app is not None:
            for thread in while_serving:
                thread.start()
            uvicorn.run(runtime.app, host=s.host, port=s.port, log_level=s.log_level.lower(),
                        timeout_graceful_shutdown=3)
        else:
            _wait_for_signal()
    finally:
        threads.stop()
        beside.stop()


def _wait_for_signal() -> None:
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
