"""The admin designs an evaluation in the browser, as the office would: three rated units, five
questions of every kind it needs (required, a show-if), a mistake shown next to its field, then
30 ballot codes issued on the page and the printable list downloaded; the evaluation is listed,
and its definition is exactly what was typed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from bootstrap import build_context, prepare
from services.identity import add_unit, add_user
from services.settings import Settings
from tests import survey_scenario as hand
from tests.e2e.processes import serving_up
from tests.support import free_port

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Server:
    url: str
    admin: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    with ctx.db.transaction() as session:
        for slug, name in hand.UNITS:
            add_unit(session, slug, name, "county")
        add_unit(session, "hongxing", "红星机械有限公司", "enterprise")
        _, admin = add_user(session, "孙伟", "admin")
    ctx.db.dispose()
    with serving_up(tmp_path, free_port(), poll_seconds="0.1") as url:
        yield Server(url, admin)


def question(page: Page, n: int, kind: str, text: str, *, required: bool = False,
             options: str = "", show_if: tuple[str, str] | None = None) -> None:
    if n > 1:
        page.get_by_role("button", name="添加题目").click()
    page.select_option(f"#q{n}-type", kind)
    page.fill(f"#q{n}-text", text)
    if required:
        page.check(f"#q{n}-required")
    if options:
        page.fill(f"#q{n}-options", options)
    if show_if:
        page.select_option(f"#q{n}-show", show_if[0])
        page.fill(f"#q{n}-answer", show_if[1])


def test_an_admin_designs_an_evaluation_and_issues_codes_on_the_page(
        server: Server, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  accept_downloads=True)
    context.add_init_script(path=str(AXE))  # through the debugger, so the page's CSP holds
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/surveys")
    page.fill("input[name=token]", server.admin)
    page.click("button[type=submit]")
    page.click("#new-survey")
    expect(page.locator("h1")).to_have_text("新建调查或评议")

    wanted = hand.evaluation()
    page.get_by_label("标题").fill(wanted["title"])
    page.get_by_label("说明").fill(wanted["description"])
    page.check("input[name=kind][value=evaluation]")
    expect(page.locator("input[name=access][value=codes]")).to_be_checked()
    page.check("#d-anonymous")
    for _, name in hand.UNITS:
        page.locator("#units-box").get_by_label(name).check()
    question(page, 1, "scale5", "服务态度", required=True)
    question(page, 2, "scale5", "办事效率", required=True)
    question(page, 3, "single", "今年是否到该单位办过事", required=True, options="是\n否")
    question(page, 4, "scale5", "惠企政策落实", show_if=("q3", "可能"))
    question(page, 5, "long", "意见和建议")

    # a show-if answer that is not an option of question 3: said next to that field, nothing sent
    page.click("#create")
    expect(page.locator("#err-q4-answer")).to_contain_text("须为第3题的选项之一")
    expect(page.locator("#q4-answer")).to_be_focused()
    page.fill("#q4-answer", "是")
    # a closing time already past: the server refuses it, and the page says so by that field
    page.fill("#d-closes", "2020-01-01T10:00")
    page.click("#create")
    expect(page.locator("#err-closes")).to_contain_text("结束时间须晚于")
    page.fill("#d-closes", "")
    page.click("#create")
    expect(page.locator("#codes-box")).to_be_visible()
    created = page.locator("#created a").get_attribute("href") or ""
    sid = int(created.rsplit("/", 1)[1])

    page.fill("#c-count", "0")
    page.click("#issue")
    expect(page.locator("#err-count")).to_contain_text("正整数")
    page.fill("#c-count", "30")
    page.click("#issue")
    expect(page.locator("#issued-codes tbody tr")).to_have_count(30)
    codes = page.locator("#issued-codes .code").all_inner_texts()
    assert len(set(codes)) == 30 and all(len(c) == 14 for c in codes)
    page.check("input[name=how][value=units]")
    page.locator("[data-how=units]").get_by_label("红星机械有限公司").check()
    with page.expect_download() as download:
        page.click("#issue-xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet["A3"].value == "序号" and sheet["B4"].value == "红星机械有限公司"
    violations = page.evaluate("""async () => (await axe.run(document, { runOnly: { type: "tag",
        values: ["wcag2a", "wcag2aa"] } })).violations.filter(v => v.impact === "serious"
        || v.impact === "critical").map(v => v.id + ": " + v.help)""")
    assert violations == []

    admin = {"Authorization": f"Bearer {server.admin}"}
    kept = httpx.get(f"{server.url}/api/surveys/{sid}").json()
    assert kept["kind"] == "evaluation" and kept["access"] == "codes" and kept["anonymous"]
    assert sorted(u["slug"] for u in kept["units"]) == sorted(wanted["units"])
    typed = [{k: v for k, v in q.items() if v not in (None, False, [])} for q in kept["questions"]]
    assert typed == hand.QUESTIONS
    assert httpx.get(f"{server.url}/api/surveys/{sid}/codes", headers=admin).json()["issued"] == 31

    page.goto(f"{server.url}/surveys")
    listed = page.locator(f'#surveys tr[data-survey="{sid}"]')
    expect(listed).to_contain_text(wanted["title"])
    expect(listed).to_contain_text("网上评议 · 凭码 · 匿名")
    expect(listed.locator(".ballots")).to_have_text("0")
