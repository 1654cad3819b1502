"""The admin's page of link checks (/admin/links) in headless Chromium, against a real
``baosong up``: a dead county website is marked 无法访问 with since when, the live one 正常, the
page passes axe, and an informant is not shown it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bootstrap import build_context, prepare
from publisher.links import checker
from services.identity import add_unit, add_user
from services.settings import Settings
from tests.e2e.processes import serving_up
from tests.e2e.test_documents_browser import Server, serious_violations, sign_in
from tests.support import free_port

pytestmark = pytest.mark.e2e


class _Alive(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("links")
    alive = ThreadingHTTPServer(("127.0.0.1", 0), _Alive)
    threading.Thread(target=alive.serve_forever, daemon=True).start()
    settings = Settings(data_dir=work / "var", _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    tokens = {}
    with ctx.db.transaction() as session:
        add_unit(session, "qingshan", "青山县经济和信息化局", "county",
                 f"http://127.0.0.1:{alive.server_address[1]}/")
        add_unit(session, "linjiang", "临江区经济和信息化局", "county",
                 f"http://127.0.0.1:{_closed_port()}/")
        for name, role, unit in (("王晓明", "informant", "qingshan"), ("孙伟", "admin", None)):
            tokens[name] = add_user(session, name, role, unit)[1]
    assert checker.check_all(ctx) == 2
    ctx.db.dispose()
    try:
        with serving_up(work, free_port(), link_check_seconds="86400") as url:
            yield Server(url, tokens)
    finally:
        alive.shutdown()
        alive.server_close()


def test_the_admin_sees_the_dead_website_marked_with_since_when(browser: Browser,
                                                                  server: Server,
                                                                  tmp_path: Path) -> None:
    page = sign_in(browser, server, "孙伟")
    page.click("nav.nav >> text=外链检测")
    expect(page).to_have_url(f"{server.url}/admin/links")
    expect(page.locator("h1")).to_have_text("外链检测")
    dead = page.locator("tr", has_text="临江区经济和信息化局")
    expect(dead).to_contain_text("无法访问")
    expect(dead).to_contain_text("连接失败")
    expect(dead.locator("td").nth(3)).to_contain_text("年")  # since when: 2026年12月7日 14:05
    live = page.locator("tr", has_text="青山县经济和信息化局")
    expect(live).to_contain_text("正常")
    expect(live.locator("td").nth(3)).to_have_text("—")
    expect(page.locator("main")).to_contain_text("其中 1 个无法访问")
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "links.png"), full_page=True)

    # on a phone the page keeps to the screen's width: the table scrolls, not the page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("tr", has_text="临江区经济和信息化局")).to_contain_text("无法访问")
    page_width, screen = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width <= screen + 1
    assert serious_violations(page) == []

    informant = sign_in(browser, server, "王晓明")
    expect(informant.locator("nav.nav")).not_to_contain_text("外链检测")
    answer = informant.goto(f"{server.url}/admin/links")
    assert answer is not None and answer.status == 403
