"""The wall-screen dashboard in headless Chromium against a real ``baosong up`` process: a
score change made through the API shows on the page without a reload, the page signed in with
the session cookie alone (no token in any address, none in the server's log)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bootstrap import build_context, prepare
from services.db import utcnow
from services.identity import add_unit, add_user
from services.settings import Settings
from tests.support import free_port, wait_until

TEXT = "青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况，部署四季度重点工作。"


@dataclass
class Server:
    url: str
    informant: str
    admin: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "var"
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    with ctx.db.transaction() as session:
        add_unit(session, "qingshan", "青山县经济和信息化局", "county")
        add_unit(session, "linjiang", "临江区经济和信息化局", "county")
        add_unit(session, "huayuan", "华远机械股份有限公司", "enterprise")
        _, informant = add_user(session, "王晓明", "informant", "qingshan")
        _, admin = add_user(session, "孙伟", "admin")
    ctx.db.dispose()
    port = free_port()
    env = {**os.environ, "BAOSONG_DATA_DIR": str(data), "BAOSONG_POLL_SECONDS": "0.1"}
    process = subprocess.Popen([sys.executable, "-c", "from entrypoints.cli import main; main()",
                                "up", "--port", str(port)], env=env, cwd=tmp_path,
                               stdout=(tmp_path / "out.log").open("w"),  # the access log
                               stderr=(tmp_path / "up.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/healthz"), timeout=60, what="baosong up")
        yield Server(url, informant, admin)
    finally:
        process.terminate()
        process.wait(timeout=20)


def signed_in(browser: Browser, server: Server, viewport: dict[str, int]) -> Page:
    """A browser of its own, signed in as the admin at /login; lands on the dashboard."""
    page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    page.goto(f"{server.url}/dashboard")  # not signed in: sent to the sign-in page
    page.wait_for_url("**/login?next=/dashboard")
    page.fill("#token", server.admin)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    return page


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_score_change_shows_on_the_dashboard_without_a_reload(
        server: Server, browser: Browser, tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {server.admin}"}
    sent = httpx.post(f"{server.url}/api/submissions", data={
        "kind": "article", "title": "青山县召开工业经济运行分析会", "body": TEXT},
        headers={"Authorization": f"Bearer {server.informant}"})
    assert sent.status_code == 202
    sid = sent.json()["id"]
    wait_until(lambda: httpx.get(f"{server.url}/api/submissions/{sid}", headers=admin)
               .json()["status"] == "published", timeout=30, what="publication")

    page = signed_in(browser, server, {"width": 1920, "height": 1080})
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.reload()
    board = page.locator('table[data-board="month.county"] tbody tr').first
    board.wait_for()
    assert board.inner_text().split("\t")[1:] == ["青山县经济和信息化局", "2"]
    page.wait_for_function("() => document.querySelector('#status').textContent === '实时更新中'")
    page.evaluate("window.notReloaded = true")

    adopted = httpx.post(f"{server.url}/api/submissions/{sid}/adoptions", headers=admin,
                         json={"level": "provincial", "outlet": "《省经信工作简报》"})
    assert adopted.status_code == 201
    page.wait_for_function(
        "() => document.querySelector('table[data-board=\"month.county\"] tbody tr td.pts')"
        ".textContent === '5'", timeout=10_000)  # the province's 5 instead of the portal's 2
    assert page.evaluate("window.notReloaded === true")
    # the live stream came over the session cookie: no address the page asked for has a token
    assert any("/api/scores/stream" in url for url in addresses)
    assert not [url for url in addresses if "token" in url or server.admin in url]
    assert "被省级采用" in page.locator("#status").inner_text()
    page.wait_for_function("() => document.querySelectorAll('#chart polyline').length === 1")
    assert page.locator("#latest li").first.inner_text().endswith(
        "【青山县经济和信息化局】青山县召开工业经济运行分析会")
    assert "青山县\n文1/2 图0/3 ✗" in page.locator("#quotas").inner_text()
    page.screenshot(path=str(tmp_path / "dashboard.png"))

    # the monthly bulletin prints to PDF (its print style sheet hides the print button)
    page.goto(f"{server.url}/api/reports/bulletin")  # the same session cookie
    assert page.locator("h1").inner_text().endswith("信息报送情况通报")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    (tmp_path / "bulletin.pdf").write_bytes(pdf)
    page.close()

    # on a phone the latest items keep their titles and the chart's labels stay readable
    phone = signed_in(browser, server, {"width": 390, "height": 844})
    latest = phone.locator("#latest li").first
    expect(latest).to_contain_text("青山县召开工业经济运行分析会")
    assert latest.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # nothing cut off
    assert re.search(r"^\d+月\d+日 \d\d:\d\d", latest.inner_text())
    phone.wait_for_function("() => document.querySelector('#chart svg text') !== null")
    label = phone.evaluate("document.querySelector('#chart svg text').getBoundingClientRect()"
                           ".height")
    assert label >= 10, f"chart labels {label:.1f} px high"
    phone.close()

    # the year's report for the review meeting, on screen (issue 16)
    context = browser.new_context(extra_http_headers=admin)
    report = context.new_page()
    report.goto(f"{server.url}/api/reports/period?period={utcnow().year}&format=html")
    row = report.locator('table[data-board="县区"] tbody tr').first
    expect(row).to_contain_text("青山县经济和信息化局")
    assert row.locator("td").nth(2).inner_text() == "5"  # the province's 5, as the board says
    # the enterprise side's columns (read counter, featured lists) beside the points
    expect(report.locator('table[data-board="县区"] thead')).to_contain_text("阅读量")
    expect(report.locator('table[data-board="县区"] thead')).to_contain_text("入选榜单")
    context.close()


def test_the_api_docs_work_on_a_closed_network(server: Server, browser: Browser) -> None:
    # an intranet: any address but the server's own is unreachable (issue 15, item 15)
    page = browser.new_page()
    outside: list[str] = []

    def closed_network(route: Any) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", closed_network)
    page.goto(f"{server.url}/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "报送 Baosong" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator("button.authorize").count() == 1  # the bearer scheme is declared
    assert outside == []


def test_a_token_in_an_address_is_refused_and_the_log_never_shows_one(
        server: Server, tmp_path: Path) -> None:
    old_link = httpx.get(f"{server.url}/dashboard?token={server.admin}")
    assert old_link.status_code == 400 and "/login" in old_link.json()["detail"]
    httpx.get(f"{server.url}/api/scores/stream", params={"token": server.admin}, timeout=5)
    httpx.get(f"{server.url}/api/letters/lookup?code=AB12CD34&secret=the-writers-secret")
    httpx.get(f"{server.url}/api/scores", headers={"Authorization": f"Bearer {server.admin}"})
    logs = [tmp_path / "out.log", tmp_path / "up.log"]
    read = lambda: "".join(p.read_text(encoding="utf-8") for p in logs)  # noqa: E731
    wait_until(lambda: "/api/letters/lookup" in read(), timeout=10, what="the access log")
    written = read()
    assert "/dashboard?token=" in written and "/api/scores/stream?token=" in written
    assert server.admin not in written and "the-writers-secret" not in written
