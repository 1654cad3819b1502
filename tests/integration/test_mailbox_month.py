"""A month of twenty letters, against figures worked out by hand.

Each letter follows one story; the desk's clock is moved forward past deadlines (the deadline
job, the 20 working days for a rating), so lateness is real lateness on the working-day
calendar. Stories, with their units:

    S1 answered on time, rated 满意           industry ×3, qingshan ×2, linjiang ×1
    S2 answered on time, rated 基本满意        industry ×1
    S3 不满意 → 发回重办 → answered again      industry ×1 (then 满意), qingshan ×1 (不满意 again)
    S4 escalated (督办), answered late, never rated (counts as 满意)   industry ×1, linjiang ×1
    S5 escalated, still unanswered            qingshan ×1, linjiang ×1
    S6 延期 granted, answered after the first deadline but within the new one, 满意  industry ×1
    S7 挂起 for material, answered on time, 基本满意   qingshan ×1
    S9 accepted late in the month, not yet due        qingshan ×1
    S10 sent back by qingshan (退回), reassigned, on time, 满意   industry ×2
    S8 declined (不予受理)                     ×2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moderation.letters.deadlines import check
from moderation.letters.workflow import Desk
from services.clock import utcnow
from services.settings import Settings
from tests.mailbox_support import Mailbox, mailbox_city
from tests.support import Pipeline

EXPECTED = {  # worked out by hand from the stories above
    "industry": {"received": 9, "answered": 9, "on_time": 8, "overdue": 1, "extended": 1,
                 "paused": 0, "reopened": 1, "rated": 9, "satisfied": 9,
                 "on_time_rate": 0.8889, "reply_rate": 1.0, "satisfaction_rate": 1.0,
                 "reopened_rate": 0.1111},
    "linjiang": {"received": 3, "answered": 2, "on_time": 1, "overdue": 2, "extended": 0,
                 "paused": 0, "reopened": 0, "rated": 2, "satisfied": 2,
                 "on_time_rate": 0.3333, "reply_rate": 0.6667, "satisfaction_rate": 1.0,
                 "reopened_rate": 0.0},
    "qingshan": {"received": 6, "answered": 4, "on_time": 4, "overdue": 1, "extended": 0,
                 "paused": 1, "reopened": 1, "rated": 4, "satisfied": 3,
                 "on_time_rate": 0.8, "reply_rate": 0.6667, "satisfaction_rate": 0.75,
                 "reopened_rate": 0.25},
}


class Clock:
    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def month(tmp_path: Path) -> Iterator[tuple[Mailbox, Desk, Clock]]:
    p = Pipeline(Settings(data_dir=tmp_path / "var", letter_address_limit=100,  # type: ignore[call-arg]
                          _env_file=None))
    p.unit("linjiang", "临江区经济和信息化局", "county")
    m = mailbox_city(p)
    m.handler3 = p.user("钱芳", role="handler", unit="linjiang")  # type: ignore[attr-defined]
    (consumer,) = [s for c in p.components for s in c.subscriptions
                   if s.consumer == "moderation-letters"]
    desk: Desk = consumer.handlers["letter.received"].__self__.desk  # type: ignore[union-attr]
    clock = Clock()
    desk.clock = clock
    yield m, desk, clock
    p.close()


def test_a_month_of_twenty_letters_gives_the_hand_computed_figures(
        month: tuple[Mailbox, Desk, Clock]) -> None:
    m, desk, clock = month
    p = m.p
    handlers = {"industry": m.handler, "qingshan": m.handler2,
                "linjiang": m.handler3}  # type: ignore[attr-defined]
    stories = (["S1:industry"] * 3 + ["S1:qingshan"] * 2 + ["S1:linjiang", "S2:industry",
               "S3:industry", "S3:qingshan", "S4:industry", "S4:linjiang", "S5:qingshan",
               "S5:linjiang", "S6:industry", "S7:qingshan", "S9:qingshan"]
               + ["S10:industry"] * 2 + ["S8:"] * 2)
    assert len(stories) == 20
    letters: list[dict[str, Any]] = []
    for n, story in enumerate(stories):
        kind, unit = story.split(":")
        answer = m.write(type="complaint" if kind == "S9" else "consult",
                         subject=f"第{n + 1}封来信", phone=f"1370000{n:04d}", consent=False)
        assert answer.status_code == 201, answer.text
        letters.append({"story": kind, "unit": unit, **answer.json()})
    p.settle()

    def post(who: str, letter: dict[str, Any], action: str, body: dict[str, Any]) -> None:
        got = p.post(f"/api/letters/{letter['id']}/{action}", who, body)
        assert got.status_code == 200, (letter["story"], action, got.text)
        p.settle()

    def rate(letter: dict[str, Any], rating: str) -> None:
        got = p.client.post("/api/letters/lookup/rating", json={
            "code": letter["code"], "secret": letter["secret"], "rating": rating})
        assert got.status_code == 200, (letter["story"], got.text)
        p.settle()

    def answer(letter: dict[str, Any], text: str = "答复如下。") -> None:
        post(handlers[letter["unit"]], letter, "reply", {"text": text})
        post(m.centre, letter, "review", {"action": "approve"})

    by = lambda story: [x for x in letters if x["story"] == story]  # noqa: E731
    for letter in by("S8"):
        post(m.centre, letter, "decline", {"reason": "不属于本委职责范围"})
    for letter in letters:
        if letter["story"] in ("S8", "S9"):
            continue
        first = "qingshan" if letter["story"] == "S10" else letter["unit"]
        post(m.centre, letter, "assign", {"unit": first})
    for letter in by("S10"):
        post(m.handler2, letter, "send-back", {"reason": "不属于本局", "suggest": "industry"})
        post(m.centre, letter, "assign", {"unit": "industry"})
    (s6,) = by("S6")
    post(m.handler, s6, "extension", {"days": 5, "reason": "需要会同其他部门研究"})
    post(m.centre, s6, "extension/decision", {"action": "grant"})
    (s7,) = by("S7")
    post(m.handler2, s7, "pause", {"question": "请补充用电申请受理回执"})
    assert p.client.post("/api/letters/lookup/supplement", json={
        "code": s7["code"], "secret": s7["secret"], "text": "回执编号 2026-118"}).status_code == 200
    p.settle()

    # the first day: on-time answers and their ratings
    ratings = {"S1": "satisfied", "S2": "basic", "S7": "basic", "S10": "satisfied"}
    for letter in letters:
        if letter["story"] in ("S1", "S2", "S3", "S7", "S10"):
            answer(letter)
        if letter["story"] in ratings:
            rate(letter, ratings[letter["story"]])
    for letter in by("S3"):
        rate(letter, "unsatisfied")  # 发回重办
        answer(letter, "重新办理后答复如下。")
        rate(letter, "satisfied" if letter["unit"] == "industry" else "unsatisfied")

    # past the five working days: the job escalates what is unanswered (S4, S5, not S6)
    today = desk.today()
    clock.at = clock.at + dt.timedelta(days=(desk.calendar.add_workdays(today, 6) - today).days)
    escalated = check(desk)["escalated"]
    assert sorted(escalated) == sorted(x["id"] for x in by("S4") + by("S5"))
    p.settle()
    for letter in [*by("S4"), s6]:
        answer(letter)
    rate(s6, "satisfied")

    # 20 working days on, nobody rated S4: it counts as 满意
    today = desk.today()
    clock.at = clock.at + dt.timedelta(days=(desk.calendar.add_workdays(today, 21) - today).days)
    assert sorted(check(desk)["closed"]) == sorted(x["id"] for x in by("S4"))
    p.settle()
    (s9,) = by("S9")
    post(m.centre, s9, "assign", {"unit": "qingshan"})

    received_month = p.get(f"/api/letters/{s9['id']}", m.centre).json()["received"][:7]
    stats = p.get("/api/letters/stats", m.admin, month=received_month).json()
    got = {u["unit"]: {k: u[k] for k in EXPECTED["industry"]} for u in stats["units"]}
    for figures in got.values():
        for rate_name in ("on_time_rate", "reply_rate", "satisfaction_rate", "reopened_rate"):
            figures[rate_name] = round(figures[rate_name], 4)
    assert got == EXPECTED
    assert stats["declined"] == 2
    assert {u["unit"]: u["overdue"] for u in stats["overdue_units"]} == {
        "industry": 1, "linjiang": 2, "qingshan": 1}

    bulletin = p.get("/api/reports/bulletin", m.admin, month=received_month)
    assert bulletin.status_code == 200
    assert "公共信箱来信办理情况" in bulletin.text
    assert "临江区经济和信息化局（2 件）" in bulletin.text  # named among the late units
    export = p.get("/api/scores/export", m.admin, period=received_month, format="csv")
    assert export.status_code == 200 and "按期办结率" in export.text and "88.9%" in export.text
