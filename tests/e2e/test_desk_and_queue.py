"""The informant's desk and the moderator's queue in headless Chromium, against the whole
pipeline running as a real ``baosong up`` process on a temporary data folder."""

from __future__ import annotations

import base64
import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bootstrap import build_context, prepare
from services.identity import add_unit, add_user
from services.settings import Settings
from tests.e2e.processes import serving_up
from tests.support import free_port, photo, wait_until

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
BODY = ("11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况。"
        "前三季度全县规模以上工业增加值同比增长8.2%。详情咨询电话：0571-88776655。")
RETURN_REASON = "请删去文中的联系方式（电话、微信、QQ 等）后重新报送。"


@dataclass
class Server:
    url: str
    tokens: dict[str, str]

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def status(self, who: str, submission: int) -> str:
        with self.api(who) as client:
            status: str = client.get(f"/api/submissions/{submission}").json()["status"]
            return status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("pages")
    port = free_port()
    settings = Settings(data_dir=work / "var", _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    tokens = {}
    with ctx.db.transaction() as session:
        add_unit(session, "qingshan", "青山县经济和信息化局", "county")
        add_unit(session, "linjiang", "临江区经济和信息化局", "county")
        add_unit(session, "hongda", "宏达机械股份有限公司", "enterprise")  # another board
        for name, role, unit in (("王晓明", "informant", "qingshan"),
                                 ("李娜", "informant", "linjiang"),
                                 ("周敏", "moderator", None), ("吴芳", "moderator", None),
                                 ("陈主任", "admin", None)):
            tokens[name] = add_user(session, name, role, unit)[1]
    ctx.db.dispose()
    with serving_up(work, port) as url:
        yield Server(url, tokens)


Opener = Callable[..., tuple[Page, "Problems"]]


@pytest.fixture
def open_page(browser: Browser, server: Server) -> Iterator[Opener]:
    """Sign someone in, in a browser context of their own; closed when the test ends."""
    pages: list[Page] = []

    def opener(who: str, **options: Any) -> tuple[Page, Problems]:
        page, problems = open_as(browser, server, who, **options)
        pages.append(page)
        return page, problems

    yield opener
    for page in pages:
        page.context.close()


class FlakyConnection:
    """A connection between the browser and the server that loses the answer to the next
    upload: the server gets the whole request and answers, the browser sees the line drop."""

    HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length",
                            "content-encoding", "host", "accept-encoding"})

    def __init__(self, target: str) -> None:
        self.drop_next_upload = threading.Event()
        self.dropped: list[int] = []
        proxy = self

        class Forward(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in FlakyConnection.HOP_BY_HOP}
                answer = httpx.request(self.command, target + self.path, headers=headers,
                                       content=body, timeout=60)
                if (self.command == "POST" and self.path.startswith("/api/submissions")
                        and proxy.drop_next_upload.is_set()):
                    proxy.drop_next_upload.clear()
                    proxy.dropped.append(answer.status_code)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.multi_items():
                    if key.lower() not in FlakyConnection.HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky(server: Server) -> Iterator[FlakyConnection]:
    connection = FlakyConnection(server.url)
    yield connection
    connection.close()


class Problems(list[str]):
    """Script errors and Content-Security-Policy refusals seen by a page."""


def open_as(browser: Browser, server: Server, who: str, width: int = 1440,
            height: int = 900, via: str | None = None) -> tuple[Page, Problems]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.add_init_script(path=str(AXE))  # through the debugger, so the page's CSP holds
    page = context.new_page()
    problems = Problems()
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(f"{via or server.url}/login")
    page.fill("#token", server.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page, problems


def drop_photo(page: Page, name: str, data: bytes) -> None:
    """Drag a file onto the drop zone, as a person dragging it from their desktop does."""
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
        document.getElementById("dropzone").dispatchEvent(
            new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }""", [name, base64.b64encode(data).decode()])


def page_fetch(page: Page, method: str, path: str, body: Any = None) -> int:
    """A request made by the page's own script (its cookie and CSRF secret); the status."""
    status: int = page.evaluate("""async ([method, path, body]) => {
        try { await Baosong.api(path, { method, json: body ?? undefined }); return 200; }
        catch (e) { return e.status; }
    }""", [method, path, body])
    return status


def serious_violations(page: Page) -> list[str]:
    result = page.evaluate("""async () => (await axe.run(document, { runOnly: { type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })).violations""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result if v["impact"] in ("serious", "critical")]


def test_an_article_goes_from_the_desk_through_the_queue_to_the_portal(
        open_page: Opener, server: Server, flaky: FlakyConnection, tmp_path: Path) -> None:
    desk, desk_problems = open_page("王晓明", via=flaky.url)
    assert desk.url.endswith("/desk")

    # the form: a courtesy check refuses what is not a photo before anything is uploaded
    not_a_photo = tmp_path / "说明.jpg"
    not_a_photo.write_text("这不是照片")
    desk.set_input_files("#photo-input", str(not_a_photo))
    expect(desk.locator("#form-problems")).to_contain_text("不是 JPEG、PNG 或 WebP 图片")
    desk.fill("#title", "青山县召开工业经济运行分析会")
    desk.fill("#body", BODY)
    drop_photo(desk, "会议现场.jpg", photo(seed=1))
    small = tmp_path / "项目工地.jpg"
    small.write_bytes(photo(size=(800, 500), seed=2))  # too small to publish: a finding
    desk.set_input_files("#photo-input", str(small))
    expect(desk.locator("#photo-list > li")).to_have_count(2)
    previews = desk.locator("#photo-list img")
    assert all((previews.nth(i).get_attribute("src") or "").startswith("blob:") for i in (0, 1))
    expect(desk.locator("#photo-list")).to_contain_text("短边 500 像素")
    desk.fill("#caption-0", "会议现场")
    desk.fill("#caption-1", "项目工地")

    # a flaky connection: the upload reaches the server but the answer is lost on the way back
    flaky.drop_next_upload.set()
    desk.click("#send")
    expect(desk.locator("#retry")).to_be_visible(timeout=15_000)
    expect(desk.locator("#send-result")).to_contain_text("不会产生第二份稿件")
    assert flaky.dropped == [202]  # the server had accepted it
    desk.click("#retry")
    expect(desk.locator("#send-result")).to_contain_text("此前已经送达", timeout=15_000)
    assert desk.locator("#progress").evaluate("p => p.value") == 100
    with server.api("王晓明") as api:
        items = api.get("/api/submissions").json()["items"]
    assert len(items) == 1, "the retry made a second submission"
    first = items[0]["id"]
    wait_until(lambda: server.status("王晓明", first) == "flagged", what="screening")

    # moderator 1 opens the queue: j opens and claims the oldest item, its findings marked
    queue, queue_problems = open_page("周敏")
    assert queue.url.endswith("/queue")
    expect(queue.locator(f"#q-{first}")).to_be_visible()
    queue.keyboard.press("j")
    expect(queue.locator("#claim-line")).to_contain_text("已由您认领")
    hit = queue.locator("#body-text mark.hit")
    expect(hit).to_have_text("0571-88776655")
    expect(hit).to_have_attribute("title", "广告推广 · 固定电话")
    expect(queue.locator("#photo-grid figure").nth(1)).to_contain_text("尺寸过小")
    expect(queue.locator("#photo-grid img").first).to_have_attribute(
        "src", f"/api/moderation/{first}/photos/0")
    assert queue.locator("#photo-grid img").first.evaluate("i => i.naturalWidth") == 1600

    # moderator 2 sees who has it and cannot decide it
    other, other_problems = open_page("吴芳")
    expect(other.locator(f"#q-{first}")).to_contain_text("周敏 处理中")
    other.locator(f"#q-{first} .q-open").click()
    expect(other.locator("#claim-line")).to_contain_text("周敏 正在处理")
    expect(other.locator("#do-approve")).to_be_disabled()
    assert page_fetch(other, "POST", f"/api/moderation/{first}/decision",
                      {"action": "approve"}) == 409

    # moderator 1 returns it with a reason from the templates
    queue.keyboard.press("e")
    expect(queue.locator("#decide-dialog")).to_be_visible()
    queue.get_by_label(RETURN_REASON).check()
    expect(queue.locator("#reason")).to_have_value(RETURN_REASON)
    queue.click("#decide-confirm")
    expect(queue.locator("#toast")).to_contain_text(f"已退回修改 #{first}")
    wait_until(lambda: server.status("王晓明", first) == "returned", what="the return")

    # the informant sees why, with the finding marked, and revises from a filled-in form
    desk.reload()
    card = desk.locator(f"#item-{first}")
    expect(card).to_contain_text("退回修改")
    expect(card.locator(".reason")).to_contain_text(RETURN_REASON)
    card.locator("summary").click()
    expect(card.locator("mark.hit")).to_have_text("0571-88776655")
    card.get_by_role("button", name="修改后重新提交").click()
    expect(desk.locator("#revising")).to_be_visible()
    expect(desk.locator("#title")).to_have_value("青山县召开工业经济运行分析会")
    expect(desk.locator("#photo-list > li")).to_have_count(2)
    expect(desk.locator("#caption-1")).to_have_value("项目工地")
    desk.fill("#body", BODY.replace("详情咨询电话：0571-88776655。", ""))
    desk.click("#send")
    expect(desk.locator("#send-result")).to_contain_text("已提交", timeout=15_000)
    with server.api("王晓明") as api:
        revision = api.get("/api/submissions").json()["items"][0]
    assert revision["revision_of"] == first and revision["id"] != first
    second = revision["id"]
    wait_until(lambda: server.status("王晓明", second) == "flagged", what="the revision")

    # moderator 1 sees the revision against the returned version and approves it: a, Enter
    queue.reload()
    expect(queue.locator(f"#q-{second}")).to_be_visible()
    queue.keyboard.press("j")
    expect(queue.locator("#revision-section")).to_be_visible()
    expect(queue.locator("#revision-note")).to_contain_text(RETURN_REASON)
    expect(queue.locator("#revision-diff del")).to_contain_text("0571-88776655")
    queue.keyboard.press("a")
    expect(queue.locator("#decide-confirm")).to_be_focused()
    queue.keyboard.press("Enter")
    expect(queue.locator("#toast")).to_contain_text(f"已通过 #{second}")
    wait_until(lambda: server.status("王晓明", second) == "published", timeout=60,
               what="publishing")

    # the informant's desk links to the published page, and it is there
    desk.reload()
    link = desk.locator(f"#item-{second}").get_by_role("link", name="查看已发布页面")
    expect(link).to_be_visible()
    article = httpx.get(link.get_attribute("href") or "", timeout=10)
    assert article.status_code == 200 and "青山县召开工业经济运行分析会" in article.text
    assert "0571-88776655" not in article.text
    expect(desk.locator(f"#item-{first}")).to_contain_text(f"已重新提交为 #{second}")
    assert desk_problems + queue_problems + other_problems == []


def test_bulk_approval_from_the_queue_skips_an_item_claimed_by_someone_else(
        open_page: Opener, server: Server) -> None:
    with server.api("李娜") as api:
        ids = [api.post("/api/submissions", data={
            "kind": "article", "title": f"临江区招商推介会{n}",
            "body": "推介会在临江区举行，欢迎订购，加微信 lj2026abc 咨询。"}).json()["id"]
            for n in range(3)]
    for sid in ids:
        wait_until(lambda sid=sid: server.status("李娜", sid) == "flagged", what="screening")
    with server.api("吴芳") as api:
        assert api.post(f"/api/moderation/{ids[2]}/claim").status_code == 200
    queue, problems = open_page("周敏")
    for sid in ids:
        queue.locator(f"#q-{sid} input[type=checkbox]").check()
    expect(queue.locator("#selected-count")).to_have_text("已选 3 份")
    queue.click("#bulk-approve")
    queue.click("#decide-confirm")
    expect(queue.locator("#toast")).to_contain_text("已通过 2 份")
    expect(queue.locator("#toast")).to_contain_text(f"#{ids[2]}")
    wait_until(lambda: server.status("李娜", ids[0]) in ("approved", "published"),
               what="the bulk approval")
    assert server.status("李娜", ids[2]) == "flagged"
    expect(queue.locator(f"#q-{ids[0]}")).to_have_count(0)
    assert problems == []


def _no_overflow(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


@pytest.mark.parametrize("width", [390, 1440])
def test_the_desk_fits_a_phone_and_a_desktop_and_passes_axe(
        open_page: Opener, server: Server, width: int) -> None:
    page, problems = open_page("王晓明", width=width, height=844)
    expect(page.locator("#my-items > li").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-{width}.png"), full_page=True)
    _no_overflow(page)
    compose, mine, title = _box(page, "#compose"), _box(page, "#mine"), _box(page, "#title")
    send = _box(page, "#send")
    assert send["height"] >= 40 and send["x"] + send["width"] <= width  # a thumb can hit it
    if width == 390:
        assert title["width"] >= 0.75 * width - 60  # the form uses the phone's width
        assert mine["y"] >= compose["y"] + compose["height"]  # one column
    else:
        assert title["width"] >= 500
        assert mine["x"] >= compose["x"] + compose["width"]  # side by side
        assert abs(mine["y"] - compose["y"]) < 2
    assert page.locator(".bar").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert serious_violations(page) == []
    assert problems == []


def test_the_desk_shows_its_units_open_topic_and_ranks_it_on_the_county_board(
        open_page: Opener, server: Server) -> None:
    """Issue 15 items 8 and 12: the API names invited units as objects, and the desk ranks a
    county among the counties only (an enterprise is on another board)."""
    title = "约稿：全县专精特新企业培育成效"
    with server.api("陈主任") as admin:
        answer = admin.post("/api/topics", json={"title": title, "deadline": "2099-12-05",
                                                 "units": ["qingshan"]})
        assert answer.status_code == 201, answer.text
    page, problems = open_page("王晓明")
    expect(page.locator("#topic-list li").filter(has_text=title)).to_be_visible()
    # dates as an office writes them (the queue's claims and waits use the same formatter)
    expect(page.locator("#topic-list li").first).to_contain_text("截止 12月5日 23:59")
    expect(page.locator("#topic option").filter(has_text=title)).to_have_count(1)
    expect(page.locator("#unit-rank")).to_contain_text("县区第")
    expect(page.locator("#unit-rank")).to_contain_text("（共 2）")
    other, _ = open_page("李娜", width=1280)  # not invited: no topic on its desk
    expect(other.locator("#unit-rank")).to_contain_text("县区第")
    assert other.locator("#topic-list li").count() == 0
    assert problems == []


@pytest.mark.parametrize("width", [390, 1440])
def test_the_queue_fits_a_phone_and_a_desktop_and_passes_axe(
        open_page: Opener, server: Server, width: int) -> None:
    with server.api("王晓明") as api:
        sid = api.post("/api/submissions", data={
            "kind": "article", "title": f"排版检查稿件（{width}）",
            "body": "园区新签约项目三个。咨询热线：13812345678，也可加微信 yq2026abc 了解。"}
        ).json()["id"]
    wait_until(lambda: server.status("王晓明", sid) == "flagged", what="screening")
    page, problems = open_page("周敏", width=width, height=844)
    expect(page.locator(f"#q-{sid}")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"queue-list-{width}.png"), full_page=True)
    _no_overflow(page)
    assert serious_violations(page) == []
    page.locator(f"#q-{sid} .q-open").click()
    expect(page.locator("#claim-line")).to_contain_text("已由您认领")
    phone = page.locator("#body-text mark.hit", has_text="13812345678")
    expect(phone).to_have_attribute("title", "广告推广 · 手机号码")
    assert page.locator("#body-text mark.hit").count() >= 2  # the WeChat id is marked too
    page.screenshot(path=str(SCREENSHOTS / f"queue-{width}.png"), full_page=True)
    _no_overflow(page)
    detail = _box(page, "#detail")
    approve = _box(page, "#do-approve")
    assert approve["height"] >= 40 and approve["x"] + approve["width"] <= width
    if width == 390:
        assert not page.locator(".list-pane").is_visible()  # one pane at a time on a phone
        assert page.locator("#back").is_visible()
        assert detail["width"] >= width - 40
    else:
        listing = _box(page, f"#q-{sid}")
        assert detail["x"] >= listing["x"] + listing["width"]  # list and item side by side
        assert detail["width"] >= 800
    assert serious_violations(page) == []
    page.keyboard.press("r")
    expect(page.locator("#decide-dialog")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    assert problems == []
