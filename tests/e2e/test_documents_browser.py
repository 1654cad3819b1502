"""Documents, meeting notices and site search in headless Chromium, against a real
``baosong up``: an admin publishes a document with a PDF and a DOCX and a meeting notice; an
informant registers for the meeting on the desk; a visitor finds the document by its 文号
through the search box and downloads the PDF under its Chinese name; the document is repealed
and its page says 已废止; the organiser exports the registrations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from bootstrap import build_context, prepare
from services.identity import add_unit, add_user
from services.settings import Settings
from tests.documents_support import POLICY, docx_bytes, pdf_bytes
from tests.e2e.processes import serving_up
from tests.support import free_port, wait_until

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PDF_NAME = "技术改造专项资金管理办法.pdf"


@dataclass
class Server:
    url: str
    tokens: dict[str, str]

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[who]}"})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("documents")
    port = free_port()
    settings = Settings(data_dir=work / "var", _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    tokens = {}
    with ctx.db.transaction() as session:
        add_unit(session, "qingshan", "青山县经济和信息化局", "county")
        for name, role, unit in (("王晓明", "informant", "qingshan"), ("孙伟", "admin", None)):
            tokens[name] = add_user(session, name, role, unit)[1]
    ctx.db.dispose()
    with serving_up(work, port, site_identifier="1234000001", site_icp="京ICP备12345678号",
                    site_police_record="京公网安备11010502030001号", poll_seconds="0.05") as url:
        yield Server(url, tokens)


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    context.add_init_script(path=str(AXE))  # through the debugger, so the page's CSP holds
    return context.new_page()


def serious_violations(page: Page) -> list[str]:
    result = page.evaluate("""async () => (await axe.run(document, { runOnly: { type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })).violations""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result if v["impact"] in ("serious", "critical")]


def sign_in(browser: Browser, server: Server, who: str) -> Page:
    page = new_page(browser)
    page.goto(f"{server.url}/login")
    page.fill("#token", server.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def published(server: Server, title: str) -> int:
    """The id of the document called ``title`` once the pipeline has published it."""
    with server.api("孙伟") as client:
        def done() -> int | None:
            for item in client.get("/api/documents").json()["items"]:
                if item["title"] == title and item["status"] == "published":
                    return int(item["id"])
            return None
        found: int = wait_until(done, timeout=60, what=f"{title} published")
    return found


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local field takes it, in the commission's zone."""
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def test_documents_notices_search_and_downloads_in_the_browser(browser: Browser, server: Server,
                                                                tmp_path: Path) -> None:
    # the admin publishes a document with two files, then a meeting notice, on the admin page
    office = sign_in(browser, server, "孙伟")
    office.click("text=文件发布")
    office.wait_for_url(lambda url: url.endswith("/admin/documents"))
    expect(office.locator("#notice-fields")).to_be_hidden()
    for field in ("title", "number", "issuer", "body"):
        office.fill(f"#doc-{field}", POLICY[field])
    office.fill("#doc-issued", POLICY["issued"])
    office.fill("#doc-effective", POLICY["effective"])
    office.set_input_files("#doc-files", [
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": pdf_bytes()},
        {"name": "项目申报表.docx", "mimeType": "application/octet-stream",
         "buffer": docx_bytes()}])
    office.click("#document-form button[type=submit]")
    expect(office.locator("#form-result")).to_contain_text("已提交")
    policy = published(server, POLICY["title"])
    office.goto(f"{server.url}/admin/documents")
    office.check("input[name=kind][value=notice]")
    expect(office.locator("#notice-fields")).to_be_visible()
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    notice_title = "关于召开全市工业经济运行调度会的通知"
    office.fill("#doc-title", notice_title)
    office.fill("#doc-issuer", "市经信委运行处")
    office.fill("#doc-body", "请各受邀单位于截止时间前报名。")
    office.fill("#doc-starts", local_input(deadline + dt.timedelta(days=1)))
    office.fill("#doc-place", "市政府第三会议室")
    office.fill("#doc-attendees", "各县（市、区）经信局分管负责同志")
    office.fill("#doc-register-by", local_input(deadline))
    office.check("input[name=units][value=qingshan]")
    office.click("#document-form button[type=submit]")
    expect(office.locator("#form-result")).to_contain_text("已提交")
    notice = published(server, notice_title)
    # the page reloads itself 1.5 s after a submission, to list it: axe reads the page after
    # that (run during the reload, it lost its page: "execution context was destroyed")
    expect(office.locator("#form-result")).to_be_empty(timeout=10_000)
    expect(office.locator("tbody tr", has_text=notice_title)).to_be_visible()
    office.wait_for_load_state("load")
    assert serious_violations(office) == []

    # the informant registers on the desk
    desk = sign_in(browser, server, "王晓明")
    desk.click("text=会议报名")
    expect(desk.locator("h2", has_text="全市工业经济运行调度会")).to_be_visible()
    desk.fill(f"#names-{notice}", "张三\n李四")
    desk.click(f"form[data-id='{notice}'] button")
    expect(desk.locator(".registered .names")).to_have_text("张三、李四")
    assert serious_violations(desk) == []
    desk.context.close()

    # a visitor finds the document by its 文号 and downloads the PDF
    visitor = new_page(browser)
    visitor.goto(f"{server.url}/site/")
    footer = visitor.locator("footer")
    expect(footer).to_contain_text("网站标识码：1234000001")
    expect(footer.locator("a", has_text="京ICP备12345678号")).to_have_attribute(
        "href", "https://beian.miit.gov.cn/")
    visitor.click(".columns-nav >> text=文件公开")
    expect(visitor.locator(".doc-list")).to_contain_text("市经信发〔2025〕12号")
    assert serious_violations(visitor) == []
    visitor.fill("#site-search-q", "市经信发〔2025〕12号")
    visitor.click(".site-search button")
    visitor.wait_for_url(lambda url: "/search?" in url)
    expect(visitor.locator("#result-count")).to_contain_text("共找到 1 条结果")
    assert serious_violations(visitor) == []
    visitor.click(f"text={POLICY['title']}")
    visitor.wait_for_url(lambda url: url.endswith(f"/site/documents/{policy}.html"))
    expect(visitor.locator(".doc-status")).to_have_text("有效")
    expect(visitor.locator(".downloads")).to_contain_text("PDF")
    assert serious_violations(visitor) == []
    with visitor.expect_download() as waiting:
        visitor.click(f"text={PDF_NAME}")
    download = waiting.value
    assert download.suggested_filename == PDF_NAME
    saved = tmp_path / "saved.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == pdf_bytes()

    # the document is repealed on the admin page: still there, marked
    office.goto(f"{server.url}/admin/documents")
    office.once("dialog", lambda dialog: dialog.accept("已被新办法替代"))
    office.click(f"tr[data-id='{policy}'] button.repeal")
    expect(office.locator(f"tr[data-id='{policy}'] .doc-state")).to_contain_text("已废止")

    def marked() -> bool:
        visitor.reload()
        return visitor.locator(".repealed-mark").count() == 1
    wait_until(marked, timeout=30, every=0.3, what="the page marked 已废止")
    expect(visitor.locator(".repealed-mark")).to_contain_text("已被新办法替代")
    expect(visitor.locator(".doc-status")).to_have_text("已废止")
    visitor.context.close()

    # the organiser exports the registrations
    with office.expect_download() as waiting:
        office.click(f"tr[data-id='{notice}'] >> text=导出报名名单")
    export = waiting.value
    assert export.suggested_filename == f"{notice_title}-报名名单.xlsx"
    saved_list = tmp_path / "names.xlsx"
    export.save_as(saved_list)
    sheet = load_workbook(saved_list).active
    assert sheet is not None
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == ["张三", "李四"]
    office.context.close()
