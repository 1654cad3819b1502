"""Meeting registration (报名): invited units register before the deadline, never after; the
organiser sees and exports the list."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ingest.documents import registrations
from tests.conftest import City
from tests.documents_support import send_document
from tests.support import Pipeline


def notice(p: Pipeline, admin: str, register_by: dt.datetime, units: str) -> int:
    fields = {"kind": "notice", "title": "关于召开全市工业经济运行调度会的通知",
              "issuer": "市经信委运行处", "body": "请各受邀单位按时参会。",
              "starts": (register_by + dt.timedelta(days=2)).isoformat(),
              "place": "市政府第三会议室", "attendees": "各县（市、区）经信局分管负责同志",
              "register_by": register_by.isoformat(), "units": units}
    response = send_document(p, admin, fields)
    assert response.status_code == 202, response.text
    p.settle()
    return int(response.json()["id"])


def register(p: Pipeline, token: str, document_id: int, names: list[str]) -> Any:
    return p.post(f"/api/documents/{document_id}/registrations", token, {"names": names})


def test_invited_units_register_and_the_organiser_exports_the_list(city: City) -> None:
    p = city.pipeline
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    document_id = notice(p, city.admin, deadline, "qingshan,huayuan")
    page = p.client.get(f"/site/documents/{document_id}.html").text
    assert "市政府第三会议室" in page and "报名截止" in page

    first = register(p, city.informant, document_id, ["张三", "李四"])
    assert first.status_code == 201, first.text
    again = register(p, city.informant, document_id, ["张三", "王五", "张三"])
    assert again.json()["names"] == ["张三", "王五"]
    assert register(p, city.informant2, document_id, ["赵六"]).status_code == 403
    assert register(p, city.informant, document_id, []).status_code == 422
    assert register(p, city.informant, document_id, [f"人{i}" for i in range(21)]
                    ).status_code == 422  # past BAOSONG_MAX_REGISTRATION_NAMES

    listing = p.get(f"/api/documents/{document_id}/registrations", city.admin).json()
    assert [(r["unit"], r["names"]) for r in listing["registrations"]] == \
        [("qingshan", ["张三", "王五"])]
    assert [m["unit"] for m in listing["missing"]] == ["huayuan"]
    assert p.get(f"/api/documents/{document_id}/registrations",
                 city.informant).status_code == 403

    export = p.get(f"/api/documents/{document_id}/registrations", city.admin, format="xlsx")
    assert export.status_code == 200
    assert "filename*=UTF-8''" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][:3] == ["序号", "单位", "参会人员"]
    assert rows[2][1:3] == ["青山县经济和信息化局", "张三"]
    assert rows[3][1:3] == ["青山县经济和信息化局", "王五"]
    assert rows[4][1:3] == ["华远机械股份有限公司", "（未报名）"]


def test_no_registration_after_the_deadline(city: City,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    p = city.pipeline
    deadline = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    document_id = notice(p, city.admin, deadline, "qingshan")
    assert register(p, city.informant, document_id, ["张三"]).status_code == 201
    # the clock moves past the deadline (a wait of seconds was flaky on a busy machine)
    monkeypatch.setattr(registrations, "utcnow", lambda: deadline + dt.timedelta(seconds=1))
    late = register(p, city.informant, document_id, ["李四"])
    assert late.status_code == 409
    assert "报名已截止" in late.json()["detail"]
    listing = p.get(f"/api/documents/{document_id}/registrations", city.admin).json()
    assert listing["registrations"][0]["names"] == ["张三"]  # the late one changed nothing


def test_a_notice_needs_its_time_place_and_a_deadline_for_invited_units(city: City) -> None:
    p = city.pipeline
    base = {"kind": "notice", "title": "会议通知", "starts": "2026-12-20T09:00",
            "place": "市政府第三会议室"}
    assert send_document(p, city.admin, {**base, "units": "qingshan"}).status_code == 422
    assert send_document(p, city.admin, {**base, "place": ""}).status_code == 422
    assert send_document(p, city.admin, {**base, "units": "nosuchunit",
                                         "register_by": "2026-12-18T17:00"}).status_code == 422
    assert send_document(p, city.admin, {**base, "register_by": "2026-12-21T17:00",
                                         "units": "qingshan"}).status_code == 422
    assert send_document(p, city.admin, {**base, "starts": "下周一"}).status_code == 422
