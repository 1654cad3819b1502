"""A poison message in the distributed mode: the API, the Celery moderation worker, the publisher
and scoring as separate processes on RabbitMQ (quorum queues, a vhost of this run's own),
PostgreSQL and an S3 server.

The poison is a real one: an approved photo item whose original has gone from the uploads
bucket between screening and publishing. The publisher's handler fails on it every time; it ends
in the dead letters after the delivery limit while the rest of the burst is published. Once the
original is back, ``baosong dead replay`` sends it again and it is published, once.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import httpx
import pytest

from services.storage.minio import make_client
from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import article, free_port, photo, wait_until

pytestmark = pytest.mark.e2e

LIMIT = 2  # failed deliveries a message may have and still be tried again


def _status(client: httpx.Client, submission_id: int) -> str:
    status: str = client.get(f"/api/submissions/{submission_id}").json()["status"]
    return status


def test_a_poison_message_ends_in_the_dead_letters_and_is_handled_once_replayed(
        tmp_path: Path, pg_url: str, amqp_url: str, s3_endpoint: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:8]
    uploads = f"up-{tag}"
    app = Baosong(tmp_path, port=port, database_url=pg_url, broker_url=amqp_url,
                  s3_endpoint=s3_endpoint, s3_access_key="testing", s3_secret_key="testing",
                  uploads_bucket=uploads, site_bucket=f"site-{tag}",
                  exchange=f"baosong.events.{tag}", queue_prefix=f"baosong-{tag}",
                  delivery_limit=LIMIT, worker_concurrency=1)
    app.run("migrate")
    app.run("units", "add", "huayuan", "--name", "华远机械股份有限公司", "--kind", "enterprise")
    informant = api(base, app.token("陈静", "informant", "huayuan"))
    moderator = api(base, app.token("周敏", "moderator"))
    for name in ("api", "worker", "scoring"):  # the publisher comes later
        app.start(name, name)
    wait_for_http(base)
    assert app.run("dead", "list").strip().startswith("没有死信")

    original = photo((1600, 1200), seed=7)
    poison = upload(informant, kind="photo", title="厂区新貌", photos=[original]).json()["id"]
    burst = [upload(informant, key=f"a-{n}", kind="article", title=f"华远机械动态{n}",
                    body=article(n)).json()["id"] for n in range(8)]
    wait_until(lambda: all(_status(informant, i) == "approved" for i in [poison, *burst]),
               timeout=90, what="the burst screened and approved")

    # the photo's original goes missing from the bucket: publishing it fails every time
    s3 = make_client(s3_endpoint, "testing", "testing", secure=False, region="us-east-1")
    [key] = [o.object_name for o in s3.list_objects(uploads, recursive=True)]
    s3.remove_object(uploads, key)
    app.start("publisher", "publisher")

    wait_until(lambda: all(_status(informant, i) == "published" for i in burst), timeout=90,
               what="every other item of the burst published")

    def dead() -> list[dict[str, object]]:
        listed: list[dict[str, object]] = json.loads(app.run("dead", "list", "--json"))
        return listed

    wait_until(dead, timeout=60, what="the poison in the dead letters")
    [letter] = dead()
    assert letter["queue"] == "publisher" and letter["type"] == "submission.approved"
    assert letter["subject"] == f"submission/{poison}"
    assert letter["reason"] == "delivery_limit" and letter["times"] == LIMIT + 1
    assert _status(informant, poison) == "approved"
    table = app.run("dead", "list")
    assert "首次原因" in table and str(letter["event_id"]) in table

    # the cause fixed, the dead letter sent back: published, and counted, once
    s3.put_object(uploads, key, io.BytesIO(original), len(original), content_type="image/jpeg")
    replayed = app.run("dead", "replay", "--id", str(letter["event_id"]))
    assert "共重放 1 条" in replayed
    wait_until(lambda: _status(informant, poison) == "published", timeout=60,
               what="the replayed item published")
    assert dead() == []

    def published_lines() -> list[int]:
        lines = moderator.get("/api/scores/ledger").json()["lines"]
        return sorted(line["submission"] for line in lines
                      if line["rule"].startswith("published"))

    expected = sorted([poison, *burst])
    wait_until(lambda: len(published_lines()) >= len(expected), timeout=60,
               what="scoring to book every publication")
    assert published_lines() == expected  # each once
    page = httpx.get(f"{base}/site/articles/{poison}.html")
    assert page.status_code == 200 and "厂区新貌" in page.text
    app.stop_all()
