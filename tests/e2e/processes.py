"""Running ``baosong`` commands as real processes, the way an operator would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import httpx

from tests.support import wait_until

BAOSONG = str(Path(sys.executable).with_name("baosong"))


class Baosong:
    """``baosong`` commands sharing one set of ``BAOSONG_*`` settings and a working folder."""

    def __init__(self, workdir: Path, **settings: Any) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BAOSONG_")}
        self.env.update({f"BAOSONG_{k.upper()}": str(v) for k, v in settings.items()})
        self.env.setdefault("BAOSONG_DATA_DIR", str(workdir / "var"))
        self.env["PYTHONUNBUFFERED"] = "1"
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}

    def run(self, *args: str) -> str:
        """Run a command to completion; return its stdout."""
        done = subprocess.run([BAOSONG, *args], cwd=self.workdir, env=self.env,
                              capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            raise AssertionError(f"baosong {' '.join(args)} failed:\n{done.stderr.decode()}")
        return done.stdout.decode()

    def token(self, name: str, role: str, unit: str | None = None) -> str:
        args = ["users", "add", name, "--role", role] + (["--unit", unit] if unit else [])
        return self.run(*args).strip().splitlines()[-1]

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("ab")
        self._logs[name] = log
        process = subprocess.Popen([BAOSONG, *args], cwd=self.workdir, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.running[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill the process and all it started (a Celery worker's pool, say), as a crash would."""
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(30)
        self._logs.pop(name).close()

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


def api(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def wait_for_http(base_url: str, timeout: float = 60.0) -> None:
    def answers() -> bool:
        try:
            return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, timeout=timeout, every=0.2, what=f"{base_url} to answer")


def upload(client: httpx.Client, *, key: str | None = None, photos: Sequence[bytes] = (),
           captions: Sequence[str] = (), **fields: str) -> httpx.Response:
    files = [("photos", (f"p{i}.jpg", data, "image/jpeg")) for i, data in enumerate(photos)]
    data: dict[str, Any] = dict(fields)
    if captions:
        data["captions"] = list(captions)
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/submissions", data=data, files=files or None, headers=headers)


@contextlib.contextmanager
def serving_up(work: Path, port: int, **settings: str) -> Iterator[str]:
    """``baosong up`` on the data folder ``work/var`` (its database prepared by the caller),
    answering at the URL this yields; stopped with its whole process group afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOSONG_")}
    env.update(BAOSONG_DATA_DIR=str(work / "var"), BAOSONG_LOG_LEVEL="WARNING",
               PYTHONUNBUFFERED="1")
    env.update({f"BAOSONG_{k.upper()}": v for k, v in settings.items()})
    log = (work / "server.log").open("ab")
    process = subprocess.Popen([BAOSONG, "up", "--port", str(port)], cwd=work, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, timeout=90, every=0.2, what="baosong up to answer")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()
