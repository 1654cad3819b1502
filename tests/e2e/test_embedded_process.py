"""``baosong up`` as a real process on the embedded default: an upload is published and scored,
and killing the process at any moment loses nothing and counts nothing twice."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import free_port, photo, wait_until

pytestmark = pytest.mark.e2e

BODY = "青山县今年以来实施技改项目32个，完成投资12.6亿元，带动工业投资增长15%。"


def _statuses(client: httpx.Client) -> dict[int, str]:
    items = client.get("/api/submissions", params={"limit": 200}).json()["items"]
    return {item["id"]: item["status"] for item in items}


def test_upload_is_published_and_scored_and_survives_kill_9(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = Baosong(tmp_path, port=port)
    app.run("units", "add", "qingshan", "--name", "青山县经济和信息化局", "--kind", "county")
    informant = api(base, app.token("王晓明", "informant", "qingshan"))
    admin = api(base, app.token("孙伟", "admin"))
    app.start("up", "up")
    wait_for_http(base)

    first = upload(informant, kind="article", title="青山县推进工业技改", body=BODY,
                   photos=[photo(seed=1), photo(seed=2)], captions=["车间", "生产线"])
    assert first.status_code == 202
    wait_until(lambda: _statuses(admin).get(first.json()["id"]) == "published", timeout=30,
               what="the article to be published")
    page = httpx.get(f"{base}/site/articles/{first.json()['id']}.html")
    assert "青山县推进工业技改" in page.text and "生产线" in page.text

    # a burst of uploads, and the process is killed while it works through them
    sent = []
    for n in range(12):
        response = upload(informant, key=f"burst-{n}", kind="photo", title=f"图片新闻{n}",
                          photos=[photo((900, 700), seed=10 + n)])
        assert response.status_code == 202
        sent.append(response.json()["id"])
    app.kill("up", signal.SIGKILL)

    app.start("up-again", "up")
    wait_for_http(base)
    # the client retries its last upload, not knowing whether it got through
    retried = upload(informant, key="burst-11", kind="photo", title="图片新闻11",
                     photos=[photo((900, 700), seed=21)])
    assert retried.json()["id"] == sent[-1]
    wait_until(lambda: all(_statuses(admin).get(i) == "published" for i in sent), timeout=60,
               what="every upload of the burst to be published")

    lines = admin.get("/api/scores/ledger").json()["lines"]
    published = [line["submission"] for line in lines if line["rule"].startswith("published")]
    assert sorted(published) == sorted([first.json()["id"], *sent])  # each exactly once
    scores = admin.get("/api/scores").json()
    assert scores["units"][0]["points"] == 2 + len(sent)
    assert "0 项不一致" in app.run("scores", "rebuild", "--dry-run")
    app.stop_all()
