"""The distributed mode end to end: the API, a Celery moderation worker, a Celery publisher and
the kombu scoring consumer as separate processes on RabbitMQ, PostgreSQL and an S3 server."""

from __future__ import annotations

import json
import re
import signal
import uuid
from pathlib import Path

import httpx
import pytest
from kombu import Connection, Exchange, Queue

from services.events import Event, EventType
from tests.documents_support import POLICY, pdf_bytes
from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import free_port, photo, wait_until

pytestmark = pytest.mark.e2e

BODY = "华远机械智能制造车间正式投产，引进数控加工中心和工业机器人，生产效率提升三成以上。"


def _status(client: httpx.Client, submission_id: int) -> str:
    status: str = client.get(f"/api/submissions/{submission_id}").json()["status"]
    return status


def test_submissions_flow_through_separate_processes_on_real_infrastructure(
        tmp_path: Path, pg_url: str, amqp_url: str, s3_endpoint: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:8]
    app = Baosong(tmp_path, port=port, database_url=pg_url, broker_url=amqp_url,
                  s3_endpoint=s3_endpoint, s3_access_key="testing", s3_secret_key="testing",
                  uploads_bucket=f"up-{tag}", site_bucket=f"site-{tag}",
                  exchange=f"baosong.events.{tag}", queue_prefix=f"baosong-{tag}",
                  worker_concurrency=2)
    app.run("migrate")
    app.run("units", "add", "huayuan", "--name", "华远机械股份有限公司", "--kind", "enterprise")
    informant = api(base, app.token("陈静", "informant", "huayuan"))
    moderator = api(base, app.token("周敏", "moderator"))
    for name in ("api", "worker", "publisher", "scoring"):
        app.start(name, name)
    wait_for_http(base)

    article = upload(informant, kind="article", title="华远机械智能制造车间投产", body=BODY,
                     photos=[photo(seed=1), photo(seed=2)], captions=["车间全景", "机器人"])
    flagged = upload(informant, kind="article", title="新品上市",
                     body="新品上市，欢迎订购，联系电话：13812345678。")
    assert article.status_code == flagged.status_code == 202
    article_id, flagged_id = article.json()["id"], flagged.json()["id"]

    wait_until(lambda: _status(informant, article_id) == "published", timeout=60,
               what="the article to be published")
    page = httpx.get(f"{base}/site/articles/{article_id}.html")
    assert page.status_code == 200 and "车间全景" in page.text

    wait_until(lambda: _status(informant, flagged_id) == "flagged", timeout=30,
               what="the advertising article to be flagged")
    queue = moderator.get("/api/moderation/queue").json()["items"]
    assert [item["id"] for item in queue] == [flagged_id]
    assert moderator.post(f"/api/moderation/{flagged_id}/decision",
                          json={"action": "approve"}).status_code == 200
    wait_until(lambda: _status(informant, flagged_id) == "published", timeout=60,
               what="the approved article to be published")

    # a well-formed envelope whose data does not fit submission.received: the Celery bridge of
    # moderation and scoring's kombu consumer each dead-letter it on its first delivery
    _send_malformed(amqp_url, f"baosong.events.{tag}")
    dead = _dead_letters(amqp_url, f"baosong-{tag}.dead", 2)
    assert sorted(d["queue"] for d in dead) == [f"baosong-{tag}.moderation",
                                                f"baosong-{tag}.scoring"]
    assert all(d["reason"] == "rejected" for d in dead)  # at once, not at the delivery limit

    # a worker killed with its pool in the middle of a burst: its tasks run again elsewhere
    burst = [upload(informant, key=f"photo-{n}", kind="photo", title=f"厂区风貌{n}",
                    photos=[photo((1200, 900), seed=20 + n)]).json()["id"] for n in range(8)]
    app.kill("worker", signal.SIGKILL)
    app.start("worker-2", "worker")
    wait_until(lambda: all(_status(informant, i) == "published" for i in burst), timeout=90,
               what="every photo of the burst to be published")

    def published_lines() -> list[int]:
        lines = moderator.get("/api/scores/ledger").json()["lines"]
        return sorted(line["submission"] for line in lines
                      if line["rule"].startswith("published"))

    # the status page follows ingest's consumer, the ledger scoring's: wait for both
    expected = sorted([article_id, flagged_id, *burst])
    wait_until(lambda: len(published_lines()) >= len(expected), timeout=60,
               what="scoring to book every publication")
    assert published_lines() == expected  # each counted once
    scores = informant.get("/api/scores").json()
    assert scores["units"][0] == {**scores["units"][0], "unit": "huayuan",
                                  "points": 2 + 2 + len(burst)}
    # a document goes the same way: screened by the worker, written by the publisher, its PDF
    # in the S3 bucket, found by search on PostgreSQL, the article by a word of its text
    admin = api(base, app.token("孙伟", "admin"))
    sent = admin.post("/api/documents", data=POLICY, files=[
        ("attachments", ("技术改造专项资金管理办法.pdf", pdf_bytes(), "application/pdf"))])
    assert sent.status_code == 202, sent.text
    document_id = sent.json()["id"]
    wait_until(lambda: admin.get(f"/api/documents/{document_id}").json()["status"] ==
               "published", timeout=60, what="the document to be published")
    found = httpx.get(f"{base}/api/search", params={"q": "市经信发〔2025〕12号"}).json()
    assert [r["title"] for r in found["results"]] == [POLICY["title"]]
    wait_until(lambda: httpx.get(f"{base}/api/search", params={"q": "机器人"}).json()["results"],
               timeout=30, what="the article in the search index")
    page = httpx.get(f"{base}/site/documents/{document_id}.html").text
    link = re.search(r'href="\.\./(files/[^"]+\.pdf)"', page)
    assert link is not None
    pdf = httpx.get(f"{base}/site/{link.group(1)}")
    assert pdf.content == pdf_bytes() and pdf.headers["content-disposition"].startswith("attach")

    ready = httpx.get(f"{base}/readyz").json()
    assert ready["status"] == "ok", ready
    app.stop_all()


def _send_malformed(amqp_url: str, exchange: str) -> None:
    event = Event(type=EventType.RECEIVED, subject="submission/999999",
                  data={"submission": "not a number", "kind": "article"})
    with Connection(amqp_url) as conn:
        conn.Producer().publish(event.to_json().encode(), routing_key=event.type,
                                exchange=Exchange(exchange, type="topic", durable=True),
                                content_type="application/cloudevents+json", delivery_mode=2)


def _dead_letters(amqp_url: str, queue: str, count: int) -> list[dict[str, object]]:
    """The first x-death record of each of the ``count`` messages in the dead letters."""
    with Connection(amqp_url) as conn, conn.channel() as channel:
        dead = Queue(queue, channel=channel)
        wait_until(lambda: dead.queue_declare(passive=True).message_count == count,
                   timeout=30, what=f"{count} dead letters")
        out = []
        for _ in range(count):
            message = dead.get(no_ack=True)
            assert message is not None
            assert json.loads(message.body)["data"]["submission"] == "not a number"
            out.append(message.headers["x-death"][0])
        return out
