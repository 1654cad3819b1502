"""``baosong up`` on two cores (its front process serving HTTP, a pipeline process beside it for
each core running the consumers) shows, at its one ``/metrics``, every queue and what the
pipeline processes handled (values in files that up sums up), and forgets one that was killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.e2e.test_embedded_cores import helpers_of
from tests.support import article, free_port, wait_until


def _figure(base: str, name: str, **labels: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return -1.0  # not shown at all


def test_up_shows_what_its_pipeline_processes_handled_and_forgets_a_killed_one(
        tmp_path: Path) -> None:
    port = free_port()
    app = Baosong(tmp_path, port=port, pipeline_processes=2, log_level="WARNING")
    app.run("units", "add", "qingshan", "--name", "青山县经济和信息化局", "--kind", "county")
    client = api(f"http://127.0.0.1:{port}", app.token("王晓明", "informant", "qingshan"))
    up = app.start("up", "up")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base)
        helpers = wait_until(lambda: len(helpers_of(up.pid)) == 2 and helpers_of(up.pid),
                             what="two pipeline processes beside up")
        wait_until(lambda: _figure(base, "baosong_consumer_processes",
                                   consumer="moderation") == 2,
                   what="the two counted as moderation's processes")
        sent = [upload(client, kind="article", title=f"指标测试{n}",
                       body=article(n)).json()["id"] for n in range(12)]

        def published() -> bool:
            return all(client.get(f"/api/submissions/{sid}").json()["status"] == "published"
                       for sid in sent)

        wait_until(published, timeout=120, every=0.5, what="12 items published")
        assert _figure(base, "baosong_handling_seconds_count", consumer="moderation",
                       event_type="submission.received") == 12
        wait_until(lambda: _figure(base, "baosong_upload_to_published_seconds_count",
                                   kind="article") == 12, timeout=30,
                   what="each item's upload → published observed once")
        assert _figure(base, "baosong_queue_depth", consumer="moderation") == 0
        # the SQLite file's write turns, taken in the helpers (moderation's claims and
        # transactions) and in up (the uploads' own)
        assert _figure(base, "baosong_sqlite_write_lock_seconds_sum", holder="moderation",
                       phase="held") > 0
        assert _figure(base, "baosong_sqlite_write_lock_seconds_sum", holder="api",
                       phase="held") > 0  # the uploads' own

        helper = helpers[0]
        os.kill(helper, signal.SIGKILL)  # up starts another; the dead one counts no more
        [new] = wait_until(lambda: len(helpers_of(up.pid)) == 2
                           and set(helpers_of(up.pid)) - set(helpers), what="a new helper")
        files = tmp_path / "var" / "metrics" / f"front-{up.pid}"  # up on more than one core
        wait_until(lambda: (files / f"gauge_livesum_{new}.db").exists(),
                   what="the new helper's live gauge written")
        wait_until(lambda: _figure(base, "baosong_consumer_processes",
                                   consumer="moderation") == 2,
                   what="the survivor and the new one counted")
        assert not (files / f"gauge_livesum_{helper}.db").exists()  # forgotten at the scrape
        # what the killed helper handled stays counted
        assert _figure(base, "baosong_handling_seconds_count", consumer="moderation",
                       event_type="submission.received") == 12
    finally:
        app.stop_all()
