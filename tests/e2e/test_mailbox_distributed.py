"""The mailbox in the distributed mode: two API processes, a Celery moderation worker, a Celery
publisher and the kombu scoring consumer on RabbitMQ, PostgreSQL and an S3 server. A letter goes
from the public endpoint to its published answer and the unit's figures; the rate limit holds
across both API processes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from bootstrap.components import metadata
from services import migrate
from services.db import Database
from services.identity import add_unit, add_user
from tests.e2e.processes import Baosong, api, wait_for_http
from tests.support import free_port, photo, wait_until

pytestmark = pytest.mark.e2e

PHONE = "13912345678"
FORM = {"type": "consult", "subject": "技改补贴申报", "name": "张伟", "phone": PHONE,
        "enterprise": "华远机械股份有限公司", "consent": "true",
        "body": f"请问今年技改补贴的申报条件和时间？我的电话 {PHONE}。"}


def _people(database_url: str) -> dict[str, str]:
    db = Database(database_url)
    try:
        migrate.upgrade(database_url, metadata())
        with db.transaction() as session:
            add_unit(session, "industry", "市经信委工业科", "department")
            return {"centre": add_user(session, "周敏", "moderator")[1],
                    "handler": add_user(session, "刘洋", "handler", "industry")[1]}
    finally:
        db.dispose()


def test_a_letter_through_separate_processes_and_a_limit_across_two_apis(
        tmp_path: Path, pg_url: str, amqp_url: str, s3_endpoint: str) -> None:
    port, port2 = free_port(), free_port()
    base, base2 = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port2}"
    tag = uuid.uuid4().hex[:8]
    app = Baosong(tmp_path, port=port, database_url=pg_url, broker_url=amqp_url,
                  s3_endpoint=s3_endpoint, s3_access_key="testing", s3_secret_key="testing",
                  uploads_bucket=f"up-{tag}", site_bucket=f"site-{tag}",
                  exchange=f"baosong.events.{tag}", queue_prefix=f"baosong-{tag}",
                  worker_concurrency=1, letter_address_limit=4)
    tokens = _people(pg_url)  # in this process: each command run would cost a start-up
    centre = api(base, tokens["centre"])
    handler = api(base2, tokens["handler"])
    app.start("api", "api")
    app.start("api-2", "api", "--port", str(port2))
    for name in ("worker", "publisher", "scoring"):
        app.start(name, name)
    wait_for_http(base)
    wait_for_http(base2)

    written = httpx.post(f"{base}/api/letters", data=FORM, timeout=30,
                         files=[("attachments", ("现场.jpg", photo(seed=5), "image/jpeg"))])
    assert written.status_code == 201, written.text
    code, secret = written.json()["code"], written.json()["secret"]

    def listed() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = centre.get("/api/letters").json()["items"]
        return items

    (letter,) = wait_until(listed, timeout=60, what="the letter screened by the worker")
    assert centre.post(f"/api/letters/{letter['id']}/assign",
                       json={"unit": "industry"}).status_code == 200
    assert handler.get(f"/api/letters/{letter['id']}").json()["contact"]["phone"] == PHONE
    assert handler.post(f"/api/letters/{letter['id']}/reply",
                        json={"text": "申报时间为每年三月，条件详见政策解读。"}).status_code == 200
    assert centre.post(f"/api/letters/{letter['id']}/review",
                       json={"action": "approve"}).status_code == 200

    def lookup() -> dict[str, Any]:
        view: dict[str, Any] = httpx.get(f"{base2}/api/letters/lookup",
                                         params={"code": code, "secret": secret}).json()
        return view

    wait_until(lambda: lookup()["url"], timeout=60, what="the answer published")
    rated = httpx.post(f"{base2}/api/letters/lookup/rating",
                       json={"code": code, "secret": secret, "rating": "satisfied"})
    assert rated.status_code == 200
    page = httpx.get(f"{base}/site/mailbox/{code}.html")
    assert page.status_code == 200 and "每年三月" in page.text and PHONE not in page.text

    def figures() -> dict[str, Any] | None:
        units = centre.get("/api/letters/stats").json()["units"]
        # the answer and the rating are two events: scoring may take them in either order
        unit: dict[str, Any] | None = units[0] if units and units[0]["rated"] \
            and units[0]["answered"] else None
        return unit

    unit = wait_until(figures, timeout=60, what="scoring to count the rated letter")
    assert unit["unit"] == "industry" and unit["on_time"] == 1 and unit["satisfied"] == 1

    # one letter already counted against this address; three more may come, through either API
    statuses = [httpx.post(f"{(base, base2)[n % 2]}/api/letters", timeout=30,
                           data={**FORM, "phone": f"1380000{n:04d}", "subject": f"问题{n}"}
                           ).status_code for n in range(6)]
    assert sorted(statuses) == [201] * 3 + [429] * 3
    app.stop_all()
