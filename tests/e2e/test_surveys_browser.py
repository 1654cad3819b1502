"""An evaluation as its people use it, against a real ``baosong up``: enterprises answer on a
phone with their codes (one code tried twice is refused), the office closes it, and the admin's
result page, the xlsx export and the 通报 show per-unit scores equal to the table worked by
hand in tests/survey_scenario.py."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
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
from tests import survey_scenario as hand
from tests.support import free_port, wait_until


@dataclass
class Server:
    url: str
    admin: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "var"
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    prepare(ctx)
    with ctx.db.transaction() as session:
        for slug, name in hand.UNITS:
            add_unit(session, slug, name, "county")
        _, admin = add_user(session, "孙伟", "admin")
    ctx.db.dispose()
    port = free_port()
    env = {**os.environ, "BAOSONG_DATA_DIR": str(data), "BAOSONG_POLL_SECONDS": "0.1"}
    process = subprocess.Popen([sys.executable, "-c", "from entrypoints.cli import main; main()",
                                "up", "--port", str(port)], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=(tmp_path / "up.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/healthz"), timeout=60, what="baosong up")
        yield Server(url, admin)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def answer_in_the_browser(page: Page, answers: dict[str, dict[str, object]]) -> None:
    for unit, given in answers.items():
        for question, value in given.items():
            name = f"u.{unit}.{question}"
            if question == "q5":
                page.fill(f'textarea[name="{name}"]', str(value))
            else:
                page.check(f'input[name="{name}"][value="{value}"]')


def test_an_evaluation_answered_with_codes_shows_the_hand_computed_scores(
        server: Server, browser: Browser) -> None:
    admin = {"Authorization": f"Bearer {server.admin}"}
    created = httpx.post(f"{server.url}/api/surveys", json=hand.evaluation(), headers=admin)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    codes = httpx.post(f"{server.url}/api/surveys/{sid}/codes", json={"count": 30},
                       headers=admin).json()["codes"]
    printed = httpx.post(f"{server.url}/api/surveys/{sid}/codes?format=xlsx",
                         json={"count": 2}, headers=admin)
    sheet = load_workbook(io.BytesIO(printed.content)).active
    assert sheet["C4"].value and sheet["A3"].value == "序号"  # the list to print

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{server.url}/surveys/{sid}")
    expect(page.locator("h1")).to_have_text(hand.evaluation()["title"])
    # 政策落实 is asked only of those who went there: hidden until 是 is chosen
    policy = page.locator('[id="box-u.qingshan.q4"]')
    expect(policy).to_be_hidden()
    page.check('input[name="u.qingshan.q3"][value="是"]')
    expect(policy).to_be_visible()
    page.check('input[name="u.linjiang.q2"][value="3"]')
    # answers not yet sent are kept in the browser: a reload brings them back
    page.reload()
    expect(page.locator('input[name="u.linjiang.q2"][value="3"]')).to_be_checked()
    expect(policy).to_be_visible()
    page.fill("#f-code", codes[0])
    # a missing required answer: the page says so next to the question, keeps the rest
    page.check('input[name="u.qingshan.q1"][value="5"]')
    page.click("button[type=submit]")
    expect(page.locator('[id="err-u.qingshan.q2"]')).to_contain_text("此题必答")
    expect(page.locator("#problem")).to_be_visible()
    expect(page.locator('input[name="u.qingshan.q1"][value="5"]')).to_be_checked()
    answer_in_the_browser(page, hand.BALLOTS[0])
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("答卷已提交")

    for code, answers in zip(codes[1:3], hand.BALLOTS[1:], strict=True):
        cast = httpx.post(f"{server.url}/api/surveys/{sid}/ballots",
                          json={"code": code, "answers": answers})
        assert cast.status_code == 201, cast.text

    # the first code again, from another phone: refused, next to the code field
    again = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    again.goto(f"{server.url}/surveys/{sid}")
    again.fill("#f-code", codes[0])
    answer_in_the_browser(again, hand.BALLOTS[0])
    again.click("button[type=submit]")
    expect(again.locator("#err-code")).to_contain_text("已经使用过")

    assert httpx.post(f"{server.url}/api/surveys/{sid}/close", headers=admin).status_code == 200
    wait_until(lambda: hand.counted(httpx.get(f"{server.url}/api/evaluations", headers=admin)
                                         .json()["results"]),
               timeout=30, what="the evaluation's results kept")

    desk = browser.new_context().new_page()
    desk.goto(f"{server.url}/login?next=/surveys")
    desk.fill("input[name=token]", server.admin)
    desk.click("button[type=submit]")
    listed = desk.locator(f'#surveys tr[data-survey="{sid}"]')
    expect(listed.locator(".ballots")).to_have_text("3")
    expect(listed).to_contain_text("已结束")
    listed.locator("a.results").click()
    table = desk.locator("#unit-scores")
    expect(table).to_be_visible()
    shown = {row.get_attribute("data-unit"): float(row.locator(".score").inner_text())
             for row in table.locator("tbody tr").all()}
    assert shown == hand.SCORES
    expect(desk.locator("#ballots")).to_have_text("3")
    assert desk.locator("svg.chart").count() >= 4  # the charts, drawn without script

    exported = httpx.get(f"{server.url}/api/surveys/{sid}/results?format=xlsx", headers=admin)
    book = load_workbook(io.BytesIO(exported.content))
    rows = list(book["评议得分"].iter_rows(min_row=3, values_only=True))
    names = dict(hand.UNITS)
    assert {row[1]: row[4] for row in rows} == {names[u]: s for u, s in hand.SCORES.items()}

    month = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    bulletin = desk.context.new_page()
    bulletin.goto(f"{server.url}/api/reports/bulletin?month={month}")  # the desk's cookie
    scores = bulletin.locator("#evaluations tbody tr")
    expect(scores).to_have_count(3)
    in_bulletin = {row.locator("td").nth(1).inner_text(): float(row.locator(".score").inner_text())
                   for row in scores.all()}
    assert in_bulletin == {names[u]: s for u, s in hand.SCORES.items()}
    year = httpx.get(f"{server.url}/api/scores/export?period={month[:4]}", headers=admin)
    board = load_workbook(io.BytesIO(year.content))["网上评议"]
    assert {r[1]: r[3] for r in board.iter_rows(min_row=3, values_only=True)} == hand.SCORES
