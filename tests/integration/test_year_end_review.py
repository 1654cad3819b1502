"""Issue 16: a year of a city (10 counties, 20 enterprises, a department) gives a period report
and a commendation list equal to tables computed by hand, and the three documents open in
LibreOffice, print to PDF and say the same figures.

The year is fed to scoring's own consumer (the handler every bus runs) as the events of each
month, dated in that month, and each month is closed as the scheduled job closes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from entrypoints.cli import cli
from scoring import queries
from scoring.closing import close_month
from scoring.handlers import Scoring
from scoring.rules import load_rules
from services.contracts import submissions as c
from services.identity import Unit, User
from tests import office
from tests.support import Pipeline

COUNTY_MONTHS = [12, 12, 11, 10, 9, 8, 7, 6, 5, 4]  # c01..c10 meet the quota Jan..that month
ENTERPRISE_MONTHS = [12, 12, 12, 11, 10] + [0] * 15  # e01..e20: one article a month met

# The hand-computed year (default rules 2026.2). A county's month met: 2 articles 4 + a photo
# item of 3 images 1 + quota 2 = 7; a month missed, sending nothing: -2. So 9m - 24.
# c01: 89 = 84 + a city instruction 5. c02: 84, and its extra February article, retracted for
# false content, gives 2 and takes 2. c03: 75 + 8 (a national adoption: 10 instead of 2).
# An enterprise's month met: 2 + 2 = 4; missed: -2. e01: 48 + 5 (instruction), e02: 48 + 8.
UNITS_2026 = {"c01": 89, "c02": 84, "c03": 83, "c04": 66, "c05": 57, "c06": 48, "c07": 39,
              "c08": 30, "c09": 21, "c10": 12, "e01": 53, "e02": 56, "e03": 48, "e04": 42,
              "e05": 36, **{f"e{n:02d}": -24 for n in range(6, 21)}, "office": 2}
# the informants: their items' points, no quota lines (those are the unit's)
INFORMANTS_2026 = {"c01": 65, "c03": 63, "c02": 60, "c04": 50, "c05": 45, "c06": 40}
# January to June: 6 months met for c01..c08 (42), c09 5 (33), c10 4 (24)
UNITS_H1 = {"c01": 47, "c02": 42, "c03": 50, "c09": 33, "c10": 24, "e02": 32}


def _at(month: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(2026, month, 10, hour, tzinfo=dt.UTC)


class Year:
    def __init__(self, p: Pipeline) -> None:
        self.p = p
        self.rules = load_rules(p.ctx.settings.rules_path)
        self.scoring = Scoring(p.ctx, self.rules)
        self.ids = itertools.count(1)
        self.informants: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.pending: list[Any] = []

    def event(self, payload: c.SubmissionRef, at: dt.datetime) -> None:
        self.pending.append(dataclasses.replace(payload.event(), time=at))

    def item(self, unit: str, month: int, kind: str = "article", images: int = 0,
             minute: int = 0) -> c.SubmissionIdentity:
        sid = c.SubmissionId(next(self.ids))
        ident = dict(submission=sid, kind=kind, unit=unit, unit_kind=self.kinds[unit],
                     informant=self.informants[unit], topic=None, revision_of=None,
                     content_hash=f"h{sid}")
        photos = [c.UploadedPhoto(key=f"p/{sid}/{n}", caption="现场", filename=f"{n}.jpg",
                                  bytes=1000, sha256="0" * 64, format="JPEG", width=800,
                                  height=600) for n in range(images)]
        at = _at(month) + dt.timedelta(minutes=minute)
        self.event(c.Received(**ident, title=f"{unit}第{sid}号稿", body="正文", column="county",
                              informant_name="信息员", photos=photos), at)
        self.event(c.Published(**ident, column="county", url=f"/site/a/{sid}.html",
                               published_at=at, lead=False, photo_count=images,
                               republished=False), at + dt.timedelta(minutes=1))
        return c.SubmissionIdentity(**ident)

    def flush(self) -> None:
        with self.p.ctx.db.transaction() as session:
            for event in self.pending:
                self.scoring.handle(session, event)
        self.pending = []

    def close(self, month: int) -> None:
        with self.p.ctx.db.transaction() as session:
            close_month(session, f"2026-{month:02d}", self.rules, "Asia/Shanghai")


@pytest.fixture
def year(pipeline: Pipeline) -> Year:
    p = pipeline
    y = Year(p)
    units = [(f"c{n:02d}", f"第{n}县经济和信息化局", "county") for n in range(1, 11)]
    units += [(f"e{n:02d}", f"重点企业{n:02d}有限公司", "enterprise") for n in range(1, 21)]
    units += [("office", "市经信委办公室", "department")]
    for slug, name, kind in units:
        p.unit(slug, name, kind)
        p.user(f"{name}信息员", unit=slug)
        y.kinds[slug] = kind
    p.user("周敏", role="moderator")
    with p.ctx.db.transaction() as session:
        session.execute(sa.update(Unit).values(created_at=dt.datetime(2025, 12, 1,
                                                                      tzinfo=dt.UTC)))
        for user in session.scalars(sa.select(User).where(User.unit_slug.is_not(None))):
            y.informants[str(user.unit_slug)] = user.id
    for month in range(1, 13):
        for n, met in enumerate(COUNTY_MONTHS, start=1):
            if month <= met:
                unit = f"c{n:02d}"
                first = y.item(unit, month)
                y.item(unit, month, minute=2)
                y.item(unit, month, kind="photo", images=3, minute=4)
                if (unit, month) == ("c01", 1):
                    y.event(c.Instructed.about(first, level="city", by="市长", recorded_by=1),
                            _at(month, 5))
                if (unit, month) == ("c03", 3):
                    y.event(c.Adopted.about(first, level="national",
                                            outlet="《工业和信息化部简报》", recorded_by=1),
                            _at(month, 5))
                if (unit, month) == ("c02", 2):
                    extra = y.item(unit, month, minute=6)
                    y.event(c.Retracted.about(extra, reason="内容失实，数据有误", by="周敏"),
                            _at(month, 6))
        for n, met in enumerate(ENTERPRISE_MONTHS, start=1):
            if month <= met:
                first = y.item(f"e{n:02d}", month)
                if n == 1 and month == 1:
                    y.event(c.Instructed.about(first, level="city", by="市长", recorded_by=1),
                            _at(month, 5))
                if n == 2 and month == 2:
                    y.event(c.Adopted.about(first, level="national", outlet="《人民日报》",
                                            recorded_by=1), _at(month, 5))
        if month == 1:
            y.item("office", 1)
        y.flush()
        y.close(month)
    p.settle()
    return y


def _api(p: Pipeline, path: str, **params: str) -> Any:
    token = p.user("孙伟", role="admin")
    return p.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def test_a_year_gives_the_hand_computed_report_and_commendation_list(
        year: Year, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = year.p
    report = _api(p, "/api/reports/period", period="2026").json()
    units = {u["unit"]: u for b in report["boards"] for u in b["units"]}
    assert [b["kind"] for b in report["boards"]] == ["county", "enterprise"]  # office: no quota
    assert {k: u["points"] for k, u in units.items()} == {
        k: v for k, v in UNITS_2026.items() if k != "office"}
    county = [u["unit"] for u in report["boards"][0]["units"]]
    assert county == [f"c{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    assert (units["c02"]["sent"], units["c02"]["published"], units["c02"]["retracted"]) == \
        (37, 36, 1)
    assert units["c03"]["adopted"] == {"national": 1} and units["c01"]["instructed"] == 1
    assert [units[f"c{n:02d}"]["quota_months_met"] for n in range(1, 11)] == COUNTY_MONTHS
    assert units["c04"]["missing_months"] == ["2026-11", "2026-12"]
    assert units["c01"]["mailbox.on_time_rate"] is None  # the mailbox's hook, not on main yet
    people = {i["unit"]: i["points"] for i in report["informants"]}
    assert {k: people[k] for k in INFORMANTS_2026} == INFORMANTS_2026
    # every figure is the ledger's: the year's board says the same, to the point
    with p.ctx.db.session() as session:
        board = {u["unit"]: u["points"] for u in queries.scores(session, "2026")["units"]}
    assert board == UNITS_2026
    half = _api(p, "/api/reports/period", period="2026-H1").json()
    h1 = {u["unit"]: u["points"] for b in half["boards"] for u in b["units"]}
    assert {k: h1[k] for k in UNITS_H1} == UNITS_H1
    assert _api(p, "/api/reports/period", period="2026-H3").status_code == 422

    # the commendation list: c02 ranks second but had an item retracted for false content
    listed = _api(p, "/api/reports/commendations", period="2026").json()
    commended = [(e.get("unit") or e.get("informant"), e["board"]) for e in listed["commended"]]
    assert [u for u, board in commended if board == "县区"] == ["c01", "c03", "c04"]
    assert [u for u, board in commended if board == "重点企业"] == ["e02", "e01", "e03"]
    informants = [e["name"] for e in listed["commended"] if e["board"] == "信息员"]
    assert informants == [f"第{n}县经济和信息化局信息员" for n in (1, 3, 4, 5, 6)]
    assert [(e.get("unit") or e["name"], e["rule"]) for e in listed["left_out"]] == [
        ("c02", "false_content"), ("第2县经济和信息化局信息员", "false_content")]
    assert "失实" in listed["left_out"][0]["why"] and "积分 89 分" in listed["commended"][0]["why"]

    # the three documents as Word, opened and printed by LibreOffice
    monkeypatch.setenv("BAOSONG_DATA_DIR", str(p.ctx.settings.data_dir))
    monkeypatch.setenv("BAOSONG_DATABASE_URL", p.ctx.settings.database_url)
    runner = CliRunner()
    for args, name in ((["report", "--period", "2026"], "report.docx"),
                       (["commendations", "--period", "2026"], "list.docx"),
                       (["bulletin", "2026-03"], "bulletin.docx")):
        done = runner.invoke(cli, ["scores", *args, "--format", "docx", "-o",
                                   str(tmp_path / name)])
        assert done.exit_code == 0, done.output
    texts = {}
    for name in ("report.docx", "list.docx", "bulletin.docx"):
        work = tmp_path / name.split(".")[0]
        work.mkdir()
        (work / name).write_bytes((tmp_path / name).read_bytes())
        pdf = office.to_pdf(work / name)
        texts[name] = (office.pages(pdf), office.text(pdf, work).replace(" ", ""))
    pages, text = texts["report.docx"]
    assert 4 <= pages <= 8, pages  # landscape A4: 31 units and 32 informants, 12 columns
    for needle in ("市经济和信息化委员会办公室文件", "经信办〔2026〕",
                   "关于2026年信息报送工作情况的通报", "第1县经济和信息化局", "89",
                   "重点企业02有限公司", "抄送：委领导", "印发"):
        assert needle in text, needle
    pages, text = texts["list.docx"]
    assert pages <= 2, pages
    for needle in ("表彰名单", "第3县经济和信息化局", "未列入原因", "因内容失实被撤"):
        assert needle in text, needle
    pages, text = texts["bulletin.docx"]
    assert pages <= 3, pages
    for needle in ("2026年第3期", "经信办〔2026〕3号", "2026年3月信息报送情况通报",
                   "第10县经济和信息化局"):
        assert needle in text, needle
    assert "市经信委办公室" not in text  # a department with no quota is not reported on
