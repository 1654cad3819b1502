"""A RabbitMQ node of the test's own, on ports of its own, that a fault test may stop and start
again (the shared node on 5672 is never touched)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

from tests.support import free_port, wait_until

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # the script itself, not the su wrapper


class PrivateRabbit:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (folder / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (folder / "enabled_plugins").write_text("[].\n")
        (folder / "env.conf").write_text("")
        self.env = {**os.environ, "HOME": str(folder),  # its own Erlang cookie
                    "RABBITMQ_CONF_ENV_FILE": str(folder / "env.conf"),
                    "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
                    "RABBITMQ_NODENAME": f"fault{self.port}@localhost",
                    "RABBITMQ_DIST_PORT": str(free_port()),
                    "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
                    "RABBITMQ_LOG_BASE": str(folder / "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
                    "RABBITMQ_PLUGINS_EXPAND_BASE": str(folder / "plugins"),
                    "ERL_EPMD_ADDRESS": "127.0.0.1"}
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _accepts(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def start(self) -> None:
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen([SERVER], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._accepts, timeout=90, every=0.3, what="the private RabbitMQ node")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None
