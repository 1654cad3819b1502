"""Scoring's endpoints and commands one by one: 约稿, adoptions and instructions, quotas,
exports, the bulletin, the scheduled jobs, and what each refuses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from entrypoints.cli import cli
from scoring import rulesets
from scoring.jobs import close_ended_months
from scoring.models import Total
from scoring.quotas import month_bounds
from scoring.rules import RulesError, load_rules, rules_from_text
from services.db import utcnow
from tests import office
from tests.conftest import City

TEXT = "青山县召开工业经济运行分析会，总结前三季度工业经济运行情况，部署四季度重点工作。"


def soon(minutes: int = 30) -> str:
    return (utcnow() + dt.timedelta(minutes=minutes)).isoformat()


def test_an_admin_commissions_a_topic_and_only_its_units_may_answer(city: City) -> None:
    p = city.pipeline
    created = p.post("/api/topics", city.admin, {"title": "工业稳增长专题", "deadline": soon(),
                                                 "units": ["qingshan", "huayuan"]})
    assert created.status_code == 201, created.text
    topic = created.json()
    assert topic["open"] and [u["status"] for u in topic["units"]] == ["open", "open"]
    p.settle()  # topic.created reaches ingest's copy

    answer = p.upload(city.informant, title="青山县稳增长举措", body=TEXT,
                      extra={"topic": topic["id"]})
    assert answer.status_code == 202
    stranger = p.upload(city.informant2, title="临江区稳增长", body=TEXT,
                        extra={"topic": topic["id"]})
    assert stranger.status_code == 422 and "没有向本单位约稿" in stranger.json()["detail"]
    unknown = p.upload(city.informant, title="无此约稿", body=TEXT, extra={"topic": "9999"})
    assert unknown.status_code == 422 and "没有编号为 9999 的约稿" in unknown.json()["detail"]
    p.settle()

    mine = p.get("/api/topics", city.informant, unit="qingshan").json()["topics"]
    assert [u["status"] for u in mine[0]["units"] if u["unit"] == "qingshan"] == ["delivered"]
    assert p.get("/api/topics", city.informant, unit="linjiang").json()["topics"] == []
    lines = p.get("/api/scores/ledger", city.informant).json()["lines"]
    assert [(line["rule"], line["points"]) for line in lines] == [
        ("published.article", 2), ("commission.delivered", 3)]


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"title": "专题", "deadline": "2020-01-01", "units": ["qingshan"]}, 422, "将来"),
    ({"title": "专题", "deadline": "下周五", "units": ["qingshan"]}, 422, "deadline"),
    ({"title": "专题", "deadline": "2099-01-01", "units": ["nowhere"]}, 422, "nowhere"),
    ({"title": "  ", "deadline": "2099-01-01", "units": ["qingshan"]}, 422, "标题"),
    ({"title": "专题", "deadline": "2099-01-01", "units": []}, 422, "units"),
])
def test_a_bad_topic_is_refused_with_the_reason(city: City, body: dict[str, object],
                                                status: int, says: str) -> None:
    response = city.pipeline.post("/api/topics", city.admin, body)
    assert response.status_code == status and says in str(response.json()["detail"])


def test_only_an_admin_commissions_topics(city: City) -> None:
    body = {"title": "专题", "deadline": soon(), "units": ["qingshan"]}
    assert city.pipeline.post("/api/topics", city.moderator, body).status_code == 403
    assert city.pipeline.client.post("/api/topics", json=body).status_code == 401


def test_adoptions_and_instructions_are_checked_before_they_are_recorded(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, title="青山县分析会", body=TEXT).json()["id"]
    flagged = p.upload(city.informant, title="招商", body="联系电话：13812345678").json()["id"]
    p.settle()
    path = f"/api/submissions/{sid}/adoptions"
    assert p.post(path, city.informant, {"level": "provincial"}).status_code == 403
    wrong = p.post(path, city.moderator, {"level": "municipal"})
    assert wrong.status_code == 422 and "provincial" in wrong.json()["detail"]
    assert p.post(f"/api/submissions/{flagged}/adoptions", city.moderator,
                  {"level": "provincial"}).status_code == 409
    assert p.post("/api/submissions/999999/adoptions", city.moderator,
                  {"level": "provincial"}).status_code == 404
    assert p.post("/api/submissions/99999999999999999999/adoptions", city.moderator,
                  {"level": "provincial"}).status_code == 422
    assert p.post(path, city.moderator, {"level": "provincial", "outlet": "《省报》"}) \
        .status_code == 201
    again = p.post(path, city.admin, {"level": "provincial", "outlet": "《省报》"})
    assert again.status_code == 409 and "已登记" in again.json()["detail"]
    instruction = p.post(f"/api/submissions/{sid}/instructions", city.admin,
                         {"level": "city", "by": "市长"})
    assert instruction.status_code == 201
    p.settle()
    rules = [line["rule"] for line in p.get("/api/scores/ledger", city.informant).json()["lines"]]
    # the province's adoption takes the place of the portal's points (only the highest counts)
    assert rules == ["published.article", "published.article", "adoption.provincial",
                     "instruction.city"]
    audit = [e["action"] for e in p.get("/api/audit", city.admin).json()["entries"]]
    assert {"adoption", "instruction"} <= set(audit)


def test_exports_have_one_sheet_per_board_with_chinese_headers(
        city: City, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = city.pipeline
    p.upload(city.informant, title="青山县分析会", body=TEXT)
    p.upload(city.enterprise, title="华远机械新车间投产", body=TEXT)
    p.settle()
    month = f"{utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m}"
    xlsx = p.get("/api/scores/export", city.moderator, period=month, format="xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["县区排名", "企业排名", "全部单位", "信息员排名", "来信办理"]
    county = book["县区排名"]
    assert county.freeze_panes == "A3"
    assert county["A1"].value == f"市经济和信息化委员会办公室　{int(month[:4])}年" \
                                 f"{int(month[5:])}月信息报送积分排名（县区排名）"
    assert [c.value for c in county[2]][:7] == ["名次", "单位名称", "类型", "积分", "报送稿件",
                                                "门户采用", "采用率"]
    assert [c.value for c in county[3]][:7] == [1, "青山县经济和信息化局", "县区", 2, 1, 1, 1.0]
    assert county["G3"].number_format == "0.0%" and county["G4"].value == "—"
    assert county["B3"].border.left.style == "thin"
    assert county.column_dimensions["B"].width >= 2 * len("青山县经济和信息化局")
    setup = county.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == \
        (9, "landscape", 1, 0)
    assert county.sheet_properties.pageSetUpPr.fitToPage and county.print_title_rows == "$2:$2"
    # printed as the office prints it: one A4 page per small sheet (five), not seven for four
    (tmp_path / "month.xlsx").write_bytes(xlsx.content)
    assert office.pages(office.to_pdf(tmp_path / "month.xlsx")) == len(book.sheetnames)

    monkeypatch.setenv("BAOSONG_DATA_DIR", str(p.ctx.settings.data_dir))
    out = tmp_path / "year.csv"
    result = CliRunner().invoke(cli, ["scores", "export", "--period", month[:4], "--format",
                                      "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    enterprise = next(r for r in rows if r[:1] == ["企业排名"])
    assert enterprise[:8] == ["企业排名", "1", "华远机械股份有限公司", "企业", "2", "1", "1",
                              "100.0%"]
    bad = CliRunner().invoke(cli, ["scores", "export", "--period", "2026-13", "-o", str(out)])
    assert bad.exit_code == 2


def test_the_bulletin_lists_each_unit_and_those_that_sent_nothing(city: City) -> None:
    p = city.pipeline
    p.upload(city.informant, title="青山县分析会", body=TEXT)
    p.upload(city.informant, title="招商", body="联系电话：13812345678")
    p.settle()
    month = f"{utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m}"
    data = p.get("/api/reports/bulletin", city.moderator, month=month, format="json").json()
    county = next(g for g in data["groups"] if g["kind"] == "county")
    qingshan = next(r for r in county["rows"] if r["name"] == "青山县经济和信息化局")
    assert (qingshan["submitted"], qingshan["adopted"], qingshan["rate"]) == (2, 1, "50.0%")
    assert qingshan["rank"] == 1 and qingshan["points"] == 2 and not qingshan["met"]
    assert "临江区经济和信息化局" in data["silent"] and "华远机械股份有限公司" in data["silent"]
    # a department owes no quota: it neither ranks nor is named as having sent nothing
    assert "市经信委办公室" not in data["silent"]
    assert [g["kind"] for g in data["groups"]] == ["county", "enterprise"]
    today = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert data["issued"] == f"{today.year}年{today.month}月{today.day}日"
    assert data["issue"] == f"{today.year}年第{today.month}期"
    page = p.get("/api/reports/bulletin", city.moderator, month=month)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "信息报送情况通报" in page.text and "@page" in page.text
    assert '<meta name="viewport" content="width=device-width' in page.text
    assert f"{today.year}年第{today.month}期" in page.text and "市经信委办公室" not in page.text
    assert "抄送：委领导，各处室，各县（市、区）经信局。" in page.text
    assert 'font-family: "Noto Serif CJK SC"' in page.text
    assert p.get("/api/reports/bulletin", city.moderator, month="2026-13").status_code == 422


def test_quotas_and_periods_refuse_what_is_not_a_month(city: City) -> None:
    p = city.pipeline
    for month in ("2026-13", "2026", "26-01", "x" * 7):
        assert p.get("/api/quotas", city.informant, month=month).status_code == 422
    assert p.get("/api/scores", city.informant, period="2026-00").status_code == 422
    assert p.get("/api/scores", city.informant, period="all").status_code == 200


def test_months_close_on_schedule_once_they_have_ended(city: City) -> None:
    p = city.pipeline
    p.upload(city.informant, title="青山县分析会", body=TEXT)
    p.settle()
    rules = load_rules(p.ctx.settings.rules_path)
    month = f"{utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m}"
    assert close_ended_months(p.ctx, rules) == []  # this month has not ended
    after = month_bounds(month, "Asia/Shanghai")[1] + dt.timedelta(hours=25)
    assert close_ended_months(p.ctx, rules, after) == [month]
    assert close_ended_months(p.ctx, rules, after) == []
    lines = p.get("/api/scores/ledger", city.admin, period=month).json()["lines"]
    assert sorted((line["unit"], line["rule"]) for line in lines if "quota" in line["rule"]) == [
        ("huayuan", "quota.missed"), ("linjiang", "quota.missed"),
        ("qingshan", "quota.missed")]  # the department owes nothing
    quotas = p.get("/api/quotas", city.admin, month=month).json()
    assert quotas["closed"] and quotas["days_left"] >= 0


def test_a_rules_version_cannot_come_back_with_other_numbers(city: City) -> None:
    rules = load_rules(city.pipeline.ctx.settings.rules_path)
    rulesets.register(city.pipeline.ctx.db, rules)  # the same text again: fine
    changed = rules_from_text(rules.text.replace("article = 2", "article = 4"))
    with pytest.raises(RulesError, match="new version"):
        rulesets.register(city.pipeline.ctx.db, changed)


def test_rebuild_finds_a_total_that_drifted_and_repairs_it_when_asked(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    p = city.pipeline
    p.upload(city.informant, title="青山县分析会", body=TEXT)
    p.settle()
    with p.ctx.db.transaction() as session:
        session.execute(sa.update(Total).where(Total.key == "qingshan", Total.period == "all")
                        .values(points=99))
    monkeypatch.setenv("BAOSONG_DATA_DIR", str(p.ctx.settings.data_dir))
    runner = CliRunner()
    check = runner.invoke(cli, ["scores", "rebuild"])
    assert check.exit_code == 1 and "unit\tqingshan\tall\t99\t-> 2" in check.output
    assert runner.invoke(cli, ["scores", "rebuild", "--dry-run", "--repair"]).exit_code == 1
    fixed = runner.invoke(cli, ["scores", "rebuild", "--repair"])
    assert fixed.exit_code == 0 and "已修复" in fixed.output
    assert runner.invoke(cli, ["scores", "rebuild"]).exit_code == 0
    units = p.get("/api/scores", city.admin, period="all").json()["units"]
    assert next(u["points"] for u in units if u["unit"] == "qingshan") == 2
