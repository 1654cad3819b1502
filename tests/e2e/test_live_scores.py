"""Score changes stream live over Server-Sent Events, and a viewer that reconnects with
``Last-Event-ID`` is sent what it missed."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import free_port, photo

pytestmark = pytest.mark.e2e


def listen(base: str, token: str, into: queue.Queue[dict[str, Any]],
           last_event_id: str | None = None) -> None:
    headers = {"Authorization": f"Bearer {token}"}  # a script: the header, never the address
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    stream = httpx.stream("GET", f"{base}/api/scores/stream",
                          headers=headers, timeout=httpx.Timeout(60, read=60))
    # the server going away at the end of the test ends the listener too
    with contextlib.suppress(httpx.HTTPError), stream as response:
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            if not line:
                if event:
                    into.put(event)
                event = {}
            elif ":" in line and not line.startswith(":"):
                field, _, value = line.partition(":")
                event[field] = value.strip()


def next_event(events: queue.Queue[dict[str, Any]], name: str) -> dict[str, Any]:
    while True:
        event = events.get(timeout=30)
        if event.get("event") == name:
            return event


def test_a_dashboard_sees_a_score_change_live_and_catches_up_after_a_reconnect(
        tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = Baosong(tmp_path, port=port)
    app.run("units", "add", "linjiang", "--name", "临江区经济和信息化局", "--kind", "county")
    informant = api(base, app.token("李娜", "informant", "linjiang"))
    viewer = app.token("看板", "moderator")
    app.start("up", "up")
    wait_for_http(base)

    live: queue.Queue[dict[str, Any]] = queue.Queue()
    threading.Thread(target=listen, args=(base, viewer, live), daemon=True).start()
    next_event(live, "ready")
    upload(informant, kind="photo", title="企业用工对接活动", photos=[photo(seed=4)])
    change = next_event(live, "score")
    data = json.loads(change["data"])
    assert data["unit"] == "linjiang" and data["points"] == 1
    assert data["totals"]["unit"]["month"]["points"] == 1
    first_id = change["id"]

    # while nobody watches, two more items are published
    for n in range(2):
        upload(informant, kind="photo", title=f"活动剪影{n}", photos=[photo(seed=5 + n)])
    missed: queue.Queue[dict[str, Any]] = queue.Queue()
    threading.Thread(target=listen, args=(base, viewer, missed, first_id), daemon=True).start()
    replayed = [json.loads(next_event(missed, "score")["data"]) for _ in range(2)]
    assert [r["seq"] for r in replayed] == [int(first_id) + 1, int(first_id) + 2]
    assert replayed[-1]["totals"]["unit"]["month"]["points"] == 3
    app.stop_all()
