"""A RabbitMQ node stopped while the Celery workers' event bridges are busy, then started again:
every item is published, and no worker had to be restarted (issue 15, item 6). The node is one
of the test's own, on its own port: the shared one is never stopped."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.private_rabbit import PrivateRabbit
from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import free_port, wait_until

pytestmark = pytest.mark.e2e

BODY = "华远机械智能制造车间正式投产，引进数控加工中心和工业机器人，生产效率提升三成以上。"


def _published(client: httpx.Client, ids: list[int]) -> int:
    return sum(client.get(f"/api/submissions/{i}").json()["status"] == "published" for i in ids)


def test_workers_wait_out_a_broker_stop_in_the_middle_of_a_burst(
        tmp_path: Path, pg_url: str, s3_endpoint: str) -> None:
    rabbit = PrivateRabbit(tmp_path / "rabbit")
    rabbit.start()
    port = free_port()
    tag = uuid.uuid4().hex[:8]
    app = Baosong(tmp_path / "app", port=port, database_url=pg_url, broker_url=rabbit.url,
                  s3_endpoint=s3_endpoint, s3_access_key="testing", s3_secret_key="testing",
                  uploads_bucket=f"up-{tag}", site_bucket=f"site-{tag}", worker_concurrency=1)
    try:
        app.run("migrate")
        app.run("units", "add", "huayuan", "--name", "华远机械股份有限公司", "--kind",
                "enterprise")
        informant = api(f"http://127.0.0.1:{port}", app.token("陈静", "informant", "huayuan"))
        for name in ("api", "worker", "publisher", "scoring"):
            app.start(name, name)
        wait_for_http(f"http://127.0.0.1:{port}")

        ids = [upload(informant, key=f"burst-{n}", kind="article", title=f"智能制造车间投产{n}",
                      body=BODY + f"第{n}批。").json()["id"] for n in range(40)]
        wait_until(lambda: _published(informant, ids) >= 2, timeout=90,
                   what="the first items of the burst to be published")
        rabbit.stop()  # the bridges are passing the rest of the burst on
        time.sleep(2)
        rabbit.start()
        wait_until(lambda: _published(informant, ids) == len(ids), timeout=180, every=1.0,
                   what="every item of the burst to be published")
        for name in ("worker", "publisher"):
            assert app.running[name].poll() is None, f"{name} exited:\n{app.log(name)[-3000:]}"
    finally:
        app.stop_all()
        rabbit.stop()
