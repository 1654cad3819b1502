"""One letter through the public mailbox in headless Chromium, against a real ``baosong up``:
written on the public page with a photo and consent; accepted and assigned by the centre; sent
back once by the wrong unit and reassigned; answered; approved; seen and rated by the writer on
the status page; published without the writer's phone number; counted on the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bootstrap import build_context, prepare
from services.identity import add_unit, add_user
from services.settings import Settings
from tests.e2e.processes import serving_up
from tests.support import free_port, photo, wait_until

pytestmark = pytest.mark.e2e

PHONE = "13912345678"
WRITER = "张伟"


@dataclass
class Server:
    url: str
    tokens: dict[str, str]

    def letters(self, who: str, **params: str) -> list[dict[str, object]]:
        answer = httpx.get(f"{self.url}/api/letters", params=params, timeout=10,
                           headers={"Authorization": f"Bearer {self.tokens[who]}"})
        items: list[dict[str, object]] = answer.json()["items"]
        return items


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("mailbox")
    port = free_port()
    settings = Settings(data_dir=work / "var", _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    tokens = {}
    with ctx.db.transaction() as session:
        add_unit(session, "industry", "市经信委工业科", "department")
        add_unit(session, "qingshan", "青山县经济和信息化局", "county")
        for name, role, unit in (("周敏", "moderator", None), ("刘洋", "handler", "industry"),
                                 ("赵磊", "handler", "qingshan")):
            tokens[name] = add_user(session, name, role, unit)[1]
    ctx.db.dispose()
    with serving_up(work, port) as url:
        yield Server(url, tokens)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    result = page.evaluate("""async () => (await axe.run(document, { runOnly: { type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })).violations""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result if v["impact"] in ("serious", "critical")]


def _context_page(browser: Browser) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.add_init_script(path=str(AXE))  # through the debugger, so the page's CSP holds
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text else None)
    return page, problems


def signed_in(browser: Browser, server: Server, who: str) -> tuple[Page, list[str]]:
    page, problems = _context_page(browser)
    page.goto(f"{server.url}/login?next=/letters")
    page.fill("#token", server.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url("**/letters")
    return page, problems


def open_letter(page: Page, code: str) -> None:
    page.goto(page.url)  # a fresh list
    page.locator(f'#letter-list li[data-code="{code}"] button').click()
    expect(page.locator("#d-meta")).to_contain_text(code)


def act(page: Page, form: str, button: str, *, fill: dict[str, str] | None = None,
        select: dict[str, str] | None = None) -> None:
    scope = page.locator(f'form[aria-label="{form}"]')
    for name, value in (fill or {}).items():
        scope.locator(f'[name="{name}"]').fill(value)
    for name, value in (select or {}).items():
        scope.locator(f'select[name="{name}"]').select_option(value)
    scope.get_by_role("button", name=button).click()
    expect(page.locator("#toast")).to_contain_text("已完成")


def test_a_letter_from_the_public_page_to_the_rated_published_answer(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    picture = tmp_path / "厂房现场.jpg"
    picture.write_bytes(photo(seed=11))

    # the writer, with no account, on the public page
    writer, writer_problems = _context_page(browser)
    writer.goto(f"{server.url}/mailbox")
    expect(writer.locator("h1")).to_have_text("公共信箱")
    writer.locator('input[name="type"][value="complaint"]').check()
    writer.fill("#subject", "新厂房用电报装两个月无进展")
    writer.fill("#body", f"我公司新厂房的用电报装申请已提交两个月，至今没有进展。我是{WRITER}，"
                         f"电话 {PHONE}，请帮助协调。")
    writer.fill("#name", WRITER)
    writer.fill("#phone", PHONE)
    writer.fill("#enterprise", "华远机械股份有限公司")
    writer.set_input_files("#attachments", str(picture))
    writer.check("#consent")
    writer.click("#send")
    expect(writer.locator("#receipt")).to_be_visible()
    code = writer.locator("#receipt-code").inner_text().strip()
    secret = writer.locator("#receipt-secret").inner_text().strip()
    assert len(code) == 10 and secret
    wait_until(lambda: server.letters("周敏"), timeout=30, what="the letter screened")

    # the centre accepts it and assigns it, to the wrong unit first
    centre, centre_problems = signed_in(browser, server, "周敏")
    open_letter(centre, code)
    expect(centre.locator("#d-contact")).to_contain_text(PHONE)
    expect(centre.locator("#d-attachments img")).to_be_visible()
    act(centre, "受理并转办", "转办", select={"unit": "qingshan"})

    # 青山县 sends it back, naming the department that should take it
    county, county_problems = signed_in(browser, server, "赵磊")
    open_letter(county, code)
    act(county, "退回：不属于本单位", "退回", fill={"sendback": "用电报装不属于县局职责"},
        select={"suggest": "industry"})
    expect(county.locator(f'#letter-list li[data-code="{code}"]')).to_have_count(0)

    open_letter(centre, code)
    expect(centre.locator("#d-extra")).to_contain_text("建议由 industry 办理")
    act(centre, "受理并转办", "转办", select={"unit": "industry"})

    # the right unit answers; the centre approves the answer
    unit, unit_problems = signed_in(browser, server, "刘洋")
    open_letter(unit, code)
    expect(unit.locator("#d-due")).to_contain_text("期限")
    act(unit, "答复", "提交答复",
        fill={"reply": "已协调供电公司，本周内上门勘查并办理接电。"})
    open_letter(centre, code)
    expect(centre.locator("#d-draft")).to_contain_text("上门勘查")
    act(centre, "审核答复", "审核通过，答复来信人")

    # the writer reads the answer on the status page and rates it
    writer.goto(f"{server.url}/mailbox/lookup?code={code}")
    writer.fill("#secret", secret)
    writer.get_by_role("button", name="查询").click()
    expect(writer.locator("#reply-text")).to_contain_text("上门勘查", timeout=15_000)
    writer.locator('input[name="rating"][value="satisfied"]').check()
    writer.click("#rate")
    expect(writer.locator("#rating-done")).to_contain_text("满意")

    # published in 信箱公开 without the writer's phone number or name
    def published() -> str | None:
        answer = httpx.get(f"{server.url}/site/mailbox/{code}.html", timeout=5)
        return answer.text if answer.status_code == 200 else None

    page_text = wait_until(published, timeout=30, what="the letter's page")
    assert "用电报装" in page_text and "上门勘查" in page_text
    assert PHONE not in page_text and WRITER not in page_text
    writer.goto(f"{server.url}/mailbox/lookup?code={code}")
    writer.fill("#secret", secret)
    writer.get_by_role("button", name="查询").click()
    expect(writer.locator("#published-link")).to_be_visible(timeout=15_000)

    # counted on the dashboard
    board, board_problems = _context_page(browser)
    board.goto(f"{server.url}/login?next=/dashboard")  # the dashboard opens with the cookie
    board.fill("#token", server.tokens["周敏"])
    board.click("button[type=submit]")
    board.wait_for_url("**/dashboard")
    row = board.locator('#letters-table tr[data-unit="industry"]')
    expect(row).to_contain_text("100%", timeout=15_000)
    expect(board.locator('#letters-table tr[data-unit="qingshan"]')).to_have_count(0)

    for problems in (writer_problems, centre_problems, county_problems, unit_problems,
                     board_problems):
        assert problems == []


def test_the_unit_asks_for_material_and_time_and_the_writer_answers_on_the_status_page(
        browser: Browser, server: Server) -> None:
    writer, writer_problems = _context_page(browser)
    writer.set_viewport_size({"width": 390, "height": 844})  # on a phone
    writer.goto(f"{server.url}/mailbox")
    assert serious_violations(writer) == []
    writer.locator('input[name="type"][value="help"]').check()
    writer.fill("#subject", "申请技改贷款贴息")
    writer.fill("#body", "我公司今年实施了生产线技改，想申请贷款贴息，请问需要哪些材料？")
    writer.fill("#name", "李梅")
    writer.fill("#phone", "bad phone")
    writer.click("#send")
    expect(writer.locator("#form-error")).to_contain_text("联系电话格式不对")
    writer.fill("#phone", "0571-88881234")
    writer.click("#send")
    expect(writer.locator("#receipt")).to_be_visible()
    code = writer.locator("#receipt-code").inner_text().strip()
    secret = writer.locator("#receipt-secret").inner_text().strip()
    wait_until(lambda: any(x["code"] == code for x in server.letters("周敏")), timeout=30,
               what="the letter screened")

    centre, centre_problems = signed_in(browser, server, "周敏")
    assert serious_violations(centre) == []
    open_letter(centre, code)
    act(centre, "受理并转办", "转办", select={"unit": "industry"})

    unit, unit_problems = signed_in(browser, server, "刘洋")
    open_letter(unit, code)
    due_before = unit.locator("#d-due").inner_text()
    act(unit, "挂起：请来信人补充材料", "挂起",
        fill={"question": "请提供贷款合同和技改项目备案表。"})
    expect(unit.locator("#d-meta")).to_contain_text("挂起")
    act(unit, "申请延期", "申请延期", fill={"days": "5", "extreason": "需会同财政部门审核"})

    # the writer: a wrong secret shows nothing; the right one shows the question
    writer.goto(f"{server.url}/mailbox/lookup?code={code}")
    writer.fill("#secret", "WRONG")
    writer.get_by_role("button", name="查询").click()
    expect(writer.locator("#lookup-error")).to_contain_text("查询码或密码不对")
    expect(writer.locator("#letter")).to_be_hidden()
    writer.fill("#secret", secret)
    writer.get_by_role("button", name="查询").click()
    expect(writer.locator("#question-text")).to_contain_text("贷款合同")
    assert serious_violations(writer) == []
    writer.fill("#supplement", "贷款合同和备案表已通过电子邮件发送给工业科。")
    writer.get_by_role("button", name="提交补充材料").click()
    expect(writer.locator("#toast")).to_contain_text("补充材料已提交")

    # the clock runs again; the centre grants the extension and the deadline moves
    open_letter(centre, code)
    expect(centre.locator("#d-extra")).to_contain_text("来信人补充")
    act(centre, "延期申请：5 个工作日（需会同财政部门审核）", "同意延期")
    open_letter(unit, code)
    expect(unit.locator("#d-meta")).to_contain_text("办理中")
    assert unit.locator("#d-due").inner_text() != due_before
    expect(unit.locator("#d-history")).to_contain_text("同意延期 5 个工作日")

    for problems in (writer_problems, centre_problems, unit_problems):
        assert problems == []
