"""The wire format of every event, as other systems read it, does not drift.

A real run of the embedded pipeline sends each event type in the shapes it takes (an answer to
a 约稿 with photos, a flagged item approved, rejected or returned and revised, a copy, a
retraction and its republication, the lead, an adoption, an instruction, a month closed), and
the keys (in their order) and JSON value types of each event's ``data`` must be those recorded
in ``tests/fixtures/events/wire.json``, which was recorded by this test from the code as it was
before the payload types (commit 94177ab). The recorded samples are also what the unit test
``tests/unit/services/test_contracts.py`` turns into payloads and back, byte for byte.

To record the samples again (only when the wire format changes on purpose, and say so in the
commit): ``BAOSONG_RECORD_WIRE=1 pytest tests/integration/test_event_wire_format.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scoring.jobs import close_ended_months
from scoring.quotas import month_bounds
from scoring.rules import load_rules
from services.clock import utcnow
from services.events import Event, EventType
from services.outbox import OutboxMessage
from tests.conftest import City
from tests.support import photo

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "events" / "wire.json"

ARTICLE = ("11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况，"
           "部署四季度重点工作。会议指出，今年以来全县规模以上工业增加值同比增长8.2%，"
           "高于全市平均水平，新能源装备、精细化工两大产业集群加快壮大。")
FLAGGED = "青山县举办招商推介会，详情咨询电话：0571-88776655。"


def shape(value: Any) -> Any:
    """The JSON type of ``value``, nested, keys in their order: what a reader of the wire
    relies on."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return ["list", sorted({json.dumps(shape(v), sort_keys=True) for v in value})]
    return [[k, shape(v)] for k, v in value.items()]


def shapes(samples: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    return {t: {json.dumps(shape(d), sort_keys=True) for d in data}
            for t, data in samples.items()}


def _decide(city: City, sid: int, action: str, reason: str = "") -> None:
    p = city.pipeline
    assert p.post(f"/api/moderation/{sid}/claim", city.moderator).status_code == 200
    decided = p.post(f"/api/moderation/{sid}/decision", city.moderator,
                     {"action": action, "reason": reason})
    assert decided.status_code == 200, decided.text
    p.settle()


def run_every_event(city: City) -> dict[str, list[dict[str, Any]]]:
    """Drive the pipeline through every event type; return each type's ``data`` as sent."""
    p = city.pipeline
    deadline = (utcnow() + dt.timedelta(minutes=30)).isoformat()
    topic = p.post("/api/topics", city.admin, {"title": "工业稳增长专题", "deadline": deadline,
                                               "units": ["qingshan", "huayuan"]}).json()["id"]
    p.settle()
    answer = p.upload(city.informant, title="青山县稳增长举措", body=ARTICLE,
                      photos=[photo(seed=3)], captions=["分析会现场"],
                      extra={"topic": topic}).json()["id"]
    p.settle()
    p.upload(city.informant2, title="临江区转载", body=ARTICLE)  # a copy of the answer
    p.upload(city.enterprise, kind="photo", title="厂区全景", photos=[photo(seed=4)],
             captions=["新厂房"])
    p.settle()
    approved = p.upload(city.informant, title="招商推介会", body=FLAGGED).json()["id"]
    rejected = p.upload(city.informant, title="招商推介会二", body=FLAGGED + "一").json()["id"]
    returned = p.upload(city.informant, title="招商推介会三", body=FLAGGED + "二").json()["id"]
    p.settle()
    _decide(city, approved, "approve")
    _decide(city, rejected, "reject", "不符合发布要求")
    _decide(city, returned, "return", "请删去联系方式")
    revised = p.upload(city.informant, title="招商推介会三", body=ARTICLE + "修改稿。",
                       path=f"/api/submissions/{returned}/revision")
    assert revised.status_code == 202, revised.text
    p.settle()

    assert p.post(f"/api/submissions/{answer}/lead", city.moderator).status_code == 200
    assert p.post(f"/api/submissions/{answer}/adoptions", city.moderator,
                  {"level": "provincial", "outlet": "《省报》"}).status_code == 201
    assert p.post(f"/api/submissions/{answer}/instructions", city.admin,
                  {"level": "city", "by": "市长"}).status_code == 201
    p.settle()
    assert p.post(f"/api/submissions/{answer}/retract", city.moderator,
                  {"reason": "数据有误"}).status_code == 200
    p.settle()
    assert p.post(f"/api/submissions/{answer}/republish", city.moderator,
                  {"reason": "已更正数据", "title": "青山县稳增长举措（更正）"}).status_code == 200
    p.settle()
    month = f"{utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m}"
    after = month_bounds(month, "Asia/Shanghai")[1] + dt.timedelta(hours=25)
    assert close_ended_months(p.ctx, load_rules(p.ctx.settings.rules_path), after) == [month]

    sent: dict[str, list[dict[str, Any]]] = {}
    with p.ctx.db.session() as session:
        for row in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.seq)):
            event = Event.from_json(row.payload)
            sent.setdefault(event.type, []).append(event.data)
    return sent


def _distinct(samples: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """One sample of each shape each type takes."""
    out: dict[str, list[dict[str, Any]]] = {}
    for event_type, data in sorted(samples.items()):
        seen: set[str] = set()
        for d in data:
            key = json.dumps(shape(d), sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.setdefault(event_type, []).append(d)
    return out


def test_every_event_type_keeps_the_keys_and_value_types_of_its_data(city: City) -> None:
    sent = run_every_event(city)
    names = {v for k, v in vars(EventType).items() if k.isupper()}
    assert set(sent) == names  # the run sends every event type Baosong has
    if os.environ.get("BAOSONG_RECORD_WIRE"):
        WIRE.parent.mkdir(parents=True, exist_ok=True)
        WIRE.write_text(json.dumps(_distinct(sent), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    recorded = json.loads(WIRE.read_text(encoding="utf-8"))
    assert shapes(sent) == shapes(recorded)
