"""``baosong up`` on the embedded queue uses every core: it serves HTTP and starts a ``baosong
pipeline`` helper beside itself for each core, all taking turns at the same queue, and keeps
them: a helper that dies is started again, and one whose ``up`` is gone stops by itself."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from bench import _cpu
from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import article, free_port, photo, wait_until


def helpers_of(pid: int) -> list[int]:
    """The pipeline processes ``pid`` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        if parent == pid and b"pipeline" in cmdline:
            found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    return sum(_cpu.by_thread(pid).values())


def test_up_works_on_every_core_and_keeps_its_helpers(tmp_path: Path) -> None:
    port = free_port()
    app = Baosong(tmp_path, port=port, pipeline_processes=3, log_level="WARNING")
    app.run("units", "add", "qingshan", "--name", "青山县经济和信息化局", "--kind", "county")
    token = app.token("王晓明", "informant", "qingshan")
    up = app.start("up", "up")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base)
        helpers = wait_until(lambda: len(helpers_of(up.pid)) == 3 and helpers_of(up.pid),
                             what="three helpers beside up")
        before = {pid: cpu_seconds(pid) for pid in helpers}
        client = api(base, token)
        sent = [upload(client, kind="photo" if n % 2 else "article", title=f"多核测试{n}",
                       body=article(n), photos=[photo(seed=n)] if n % 2 else [],
                       captions=["现场"] if n % 2 else []).json()["id"] for n in range(40)]

        def published() -> bool:
            return all(client.get(f"/api/submissions/{sid}").json()["status"] == "published"
                       for sid in sent)

        wait_until(published, timeout=180, every=1, what="40 items published")
        worked = [pid for pid in helpers if cpu_seconds(pid) - before[pid] > 0.3]
        assert worked == helpers  # every helper took its turns at the queue

        os.kill(helpers[0], signal.SIGKILL)  # a helper dies: up starts another
        wait_until(lambda: len(helpers_of(up.pid)) == 3 and helpers[0] not in helpers_of(up.pid),
                   timeout=30, what="the helper started again")
        late = upload(client, kind="article", title="重启之后", body=article(99)).json()["id"]
        wait_until(lambda: client.get(f"/api/submissions/{late}").json()["status"]
                   == "published", timeout=60, what="an item after the restart")

        survivors = helpers_of(up.pid)
        os.kill(up.pid, signal.SIGKILL)  # up alone is killed, with no chance to stop them
        up.wait(10)

        def gone() -> bool:
            return not any(Path(f"/proc/{pid}").exists() and
                           "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                           for pid in survivors)

        wait_until(gone, timeout=30, what="the helpers to stop with up gone")
    finally:
        app.stop_all()
        time.sleep(0.5)
