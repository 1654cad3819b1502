"""Surveys and evaluations through the real pipeline, on SQLite and PostgreSQL: codes used once
(also when ballots race), bad input refused with nothing changed, the rate limit under a burst,
anonymous ballots that hold nothing to join them to their code, and results equal to a table
worked by hand."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ingest.surveys import casting
from ingest.surveys.models import AddressCount, Ballot, BallotCode
from scoring.surveys.models import BallotCopy
from services.clock import utcnow
from services.contracts.surveys import (
    BallotCast,
    ResultsPublished,
    SurveyClosed,
    SurveyOpened,
)
from services.events import Event
from services.inbox import Subscription, deliver
from services.outbox import OutboxMessage
from services.refusals import Conflict, Refusal, TooMany
from services.settings import Settings
from tests import survey_scenario as hand
from tests.support import Pipeline


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Pipeline, str]]:
    """The three rated units, two enterprises and an admin, on each database."""
    extra: dict[str, Any] = {"survey_ballots_per_address": 1000}
    if request.param == "postgresql":
        extra["database_url"] = request.getfixturevalue("pg_url")
    p = Pipeline(Settings(data_dir=tmp_path / "var", _env_file=None, **extra))  # type: ignore[call-arg]
    for slug, name in hand.UNITS:
        p.unit(slug, name, "county")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise")
    p.unit("jinhe", "金禾食品有限公司", "enterprise")
    admin = p.user("孙伟", role="admin")
    yield p, admin
    p.close()


def count(p: Pipeline, table: Any) -> int:
    with p.ctx.db.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def ballot(p: Pipeline, survey: int, answers: Any, **extra: Any) -> Any:
    return p.client.post(f"/api/surveys/{survey}/ballots", json={"answers": answers, **extra})


def test_an_evaluation_with_codes_counts_to_the_hand_computed_table(
        city: tuple[Pipeline, str]) -> None:
    p, admin = city
    created = p.post("/api/surveys", admin, hand.evaluation())
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    codes = p.post(f"/api/surveys/{sid}/codes", admin, {"count": 30}).json()["codes"]
    assert len(set(codes)) == 30
    for code, answers in zip(codes, hand.BALLOTS, strict=False):
        assert ballot(p, sid, answers, code=code.lower()).status_code == 201  # as typed
    used = ballot(p, sid, hand.BALLOTS[0], code=codes[0])
    assert used.status_code == 409 and "已经使用过" in used.json()["detail"]
    unknown = ballot(p, sid, hand.BALLOTS[0], code="AAAA-BBBB-CCCC")
    assert unknown.status_code == 403 and "投票码无效" in unknown.json()["detail"]
    assert ballot(p, sid, hand.BALLOTS[0]).status_code == 422  # no code at all
    # questions are fixed once the first ballot is in
    revised = p.client.put(f"/api/surveys/{sid}", json=hand.evaluation(title="改"),
                           headers={"Authorization": f"Bearer {admin}"})
    assert revised.status_code == 409
    assert p.post(f"/api/surveys/{sid}/close", admin).status_code == 200
    closed = ballot(p, sid, hand.BALLOTS[0], code=codes[5])
    assert closed.status_code == 409 and "已结束" in closed.json()["detail"]
    p.settle()

    results = p.get(f"/api/surveys/{sid}/results", admin).json()
    assert results["ballots"] == 3
    assert {u["unit"]: u["score"] for u in results["units"]} == hand.SCORES
    assert {u["unit"]: u["rank"] for u in results["units"]} == hand.RANKS
    q1, _, q3, *_ = results["questions"]
    assert q1["counts"] == hand.Q1_COUNTS and q1["percents"] == hand.Q1_PERCENTS
    assert q1["mean"] == hand.Q1_MEAN and q3["counts"] == hand.Q3_COUNTS
    kept = p.get("/api/evaluations", admin).json()["results"]
    assert {r["unit"]: r["score"] for r in kept} == hand.SCORES
    # the default rules give an evaluation no points: it stands beside them
    year = str(utcnow().astimezone().year)
    assert {u["points"] for u in p.get("/api/scores", admin, period=year).json()["units"]} \
        == {0}
    # and the year-end review shows each rated county's result beside its points
    review = p.get("/api/reports/period", admin, period=year, format="json").json()
    rated = {u["unit"]: u["evaluation.result"] for b in review["boards"] for u in b["units"]
             if u["unit"] in hand.SCORES}
    assert rated and all(rated[unit] == hand.SCORES[unit] for unit in rated)
    assert p.post(f"/api/surveys/{sid}/publish", admin).status_code == 202
    p.settle()
    page = p.client.get(f"/site/surveys/{sid}.html").text
    for slug, name in hand.UNITS:
        assert f'<tr data-unit="{slug}"><td>{hand.RANKS[slug]}</td><th scope="row">{name}</th>' \
               f'<td class="score">{hand.SCORES[slug]:.2f}</td>' in page

    # the tallies are what a recount from ingest's stored ballots gives
    with p.ctx.db.session() as session:
        recount = casting.recount(session, sid)
    assert recount["qingshan"]["q1"] == {"5": 2, "4": 1}
    assert recount["baihe"]["q1"] == {"0": 1, "1": 1, "3": 1}
    assert sum(recount["linjiang"]["q3"].values()) == 3


def banded(tmp_path: Path) -> Pipeline:
    """A pipeline whose rules file turns an evaluation's score into points."""
    default = (Path(__file__).parents[2] / "scoring" / "default_rules.toml").read_text("utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text(default.replace('version = "2026.1"', 'version = "2026.1-evaluation"')
                     + "\n[evaluation]\nbands = [[85, 5], [60, 2], [0, -3]]\n", "utf-8")
    return Pipeline(Settings(data_dir=tmp_path / "var", rules=rules,  # type: ignore[call-arg]
                             _env_file=None))


# 青山 90.00 ≥ 85: 5; 临江 70.00 ≥ 60: 2; 白河 44.00: -3
BANDED_POINTS = {"qingshan": 5, "linjiang": 2, "baihe": -3}


def _closed_evaluation(p: Pipeline) -> tuple[str, int, Subscription, Event, list[Event], Event]:
    """An evaluation with the scenario's three ballots, closed, none of its events delivered:
    the admin, the survey, scoring's subscription and the events to hand it in any order."""
    for slug, name in hand.UNITS:
        p.unit(slug, name, "county")
    admin = p.user("孙伟", role="admin")
    sid = p.post("/api/surveys", admin, hand.evaluation()).json()["id"]
    codes = p.post(f"/api/surveys/{sid}/codes", admin, {"count": 3}).json()["codes"]
    for code, answers in zip(codes, hand.BALLOTS, strict=True):
        assert ballot(p, sid, answers, code=code).status_code == 201
    assert p.post(f"/api/surveys/{sid}/close", admin).status_code == 200
    (opened,) = p.pending(SurveyOpened.TYPE)
    (closed,) = p.pending(SurveyClosed.TYPE)
    assert SurveyClosed.of(closed).ballots == 3
    return (admin, sid, p.subscription("scoring-surveys"), opened, p.pending(BallotCast.TYPE),
            closed)


def _points(p: Pipeline, admin: str) -> dict[str, int]:
    year = str(utcnow().astimezone().year)
    return {u["unit"]: u["points"] for u in p.get("/api/scores", admin,
                                                   period=year).json()["units"]}


def test_the_rules_file_may_turn_a_score_into_points(tmp_path: Path) -> None:
    p = banded(tmp_path)
    try:
        admin = _closed_evaluation(p)[0]
        p.settle()
        assert _points(p, admin) == BANDED_POINTS
        year = str(utcnow().astimezone().year)
        lines = p.get("/api/scores/ledger", admin, unit="baihe", period=year).json()["lines"]
        assert [line["rule"] for line in lines] == ["evaluation"]
    finally:
        p.close()


def test_the_points_wait_for_the_ballots_the_close_counted(tmp_path: Path) -> None:
    """With more than one process relaying the outbox, the close may reach scoring before the
    last ballots: the results are kept on what has come, and the points booked once all the
    ballots the close counted are in (a line booked on two ballots of three would stand)."""
    p = banded(tmp_path)
    try:
        admin, sid, scoring, opened, cast, closed = _closed_evaluation(p)
        for event in (opened, cast[0], cast[1], closed):  # the last ballot comes after the close
            assert deliver(p.ctx.db, scoring, event)
        kept = p.get("/api/evaluations", admin).json()["results"]
        assert {r["ballots"] for r in kept} == {2}  # the results so far, for whoever looks
        assert set(_points(p, admin).values()) == {0}  # but no points on two ballots of three
        assert p.get(f"/api/surveys/{sid}/results", admin).json()["counting"] is True
        early = p.post(f"/api/surveys/{sid}/publish", admin)  # nor a results page on them
        assert early.status_code == 409 and "仍在统计中" in early.json()["detail"]
        assert deliver(p.ctx.db, scoring, cast[2])
        assert p.get(f"/api/surveys/{sid}/results", admin).json()["counting"] is False
        assert p.post(f"/api/surveys/{sid}/publish", admin).status_code == 202
        assert _points(p, admin) == BANDED_POINTS
        assert {r["unit"]: r["score"] for r in p.get("/api/evaluations", admin)
                .json()["results"]} == hand.SCORES
        p.settle()  # the bus delivers them all again: the inbox drops them, nothing booked twice
        assert _points(p, admin) == BANDED_POINTS
        year = str(utcnow().astimezone().year)
        lines = p.get("/api/scores/ledger", admin, unit="qingshan", period=year).json()["lines"]
        assert [line["rule"] for line in lines] == ["evaluation"]
    finally:
        p.close()


def test_anonymous_ballots_hold_no_code_no_address_and_only_the_day(
        city: tuple[Pipeline, str]) -> None:
    p, admin = city
    sid = p.post("/api/surveys", admin, hand.evaluation()).json()["id"]
    codes = p.post(f"/api/surveys/{sid}/codes", admin, {"units": ["huayuan", "jinhe"]}).json()
    assert [r["name"] for r in codes["respondents"]] == ["华远机械股份有限公司", "金禾食品有限公司"]
    assert ballot(p, sid, hand.BALLOTS[0], code=codes["codes"][0]).status_code == 201
    p.settle()
    # who was asked, and how many answered: never which code or answer was whose
    issued = p.get(f"/api/surveys/{sid}/codes", admin).json()
    assert (issued["issued"], issued["used"]) == (2, 1)
    assert [r["unit"] for r in issued["respondents"]] == ["huayuan", "jinhe"]
    with p.ctx.db.session() as session:
        stored = session.scalars(sa.select(Ballot)).one()
        copy = session.scalars(sa.select(BallotCopy)).one()
        events = [json.loads(m.payload) for m in session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "survey.ballot_cast"))]
    assert stored.code_id is None and stored.respondent is None
    assert copy.respondent is None
    assert type(stored.day).__name__ == "date" and type(copy.day).__name__ == "date"
    # no column anywhere near a ballot or a code holds a finer time or an address
    for table in (Ballot.__table__, BallotCode.__table__, BallotCopy.__table__):
        kinds = {c.name: type(c.type).__name__ for c in table.columns}
        assert not any(k in ("DateTime", "UTCDateTime") for k in kinds.values()), kinds
        assert "address" not in kinds
    event = events[0]
    assert codes["codes"][0] not in json.dumps(event) and "code" not in event["data"]
    assert event["time"].endswith("T00:00:00+08:00")  # the envelope says only the day
    assert len(stored.id) == 32 and not stored.id.isdigit()  # random, not a sequence


def test_bad_input_is_refused_plainly_and_changes_nothing(city: tuple[Pipeline, str]) -> None:
    p, admin = city
    sid = p.post("/api/surveys", admin, hand.evaluation()).json()["id"]
    code = p.post(f"/api/surveys/{sid}/codes", admin, {"count": 1}).json()["codes"][0]
    before = (count(p, Ballot), count(p, OutboxMessage))
    cases = [
        ({"code": code, "answers": {"qingshan": {"q1": 9}}}, 422),
        ({"code": code, "answers": {"nowhere": {"q1": 5}}}, 422),
        ({"code": code, "answers": "五星"}, 422),
        ({"code": 12345, "answers": {}}, 422),
        ([1, 2], 422),
    ]
    for body, status in cases:
        answer = p.client.post(f"/api/surveys/{sid}/ballots", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["detail"]
    assert p.client.post(f"/api/surveys/{sid}/ballots", content=b"{not json",
                         headers={"Content-Type": "application/json"}).status_code == 400
    assert p.client.post(f"/api/surveys/{sid}/ballots", content=b"x" * 300_000).status_code \
        == 413
    assert p.client.post("/api/surveys/999/ballots", json={"answers": {}}).status_code == 404
    assert (count(p, Ballot), count(p, OutboxMessage)) == before
    with p.ctx.db.session() as session:
        assert session.scalars(sa.select(BallotCode.used)).all() == [False]  # still usable
    # the code still works after all that
    assert ballot(p, sid, hand.BALLOTS[0], code=code).status_code == 201

    bad_designs = [
        hand.evaluation(units=[]), hand.evaluation(access="open"),
        hand.evaluation(units=["qingshan", "nowhere"]),
        hand.evaluation(questions=[{"id": "a", "type": "stars", "text": "?"}]),
        hand.evaluation(questions=[{"id": "a", "type": "single", "text": "?", "options": ["是"]}]),
        hand.evaluation(closes="2020-01-01"), hand.evaluation(opens="明天"),
    ]
    surveys = count(p, OutboxMessage)
    for design in bad_designs:
        answer = p.post("/api/surveys", admin, design)
        assert answer.status_code == 422, (design, answer.text)
    assert count(p, OutboxMessage) == surveys
    informant = p.user("王晓明", unit="qingshan")
    assert p.post("/api/surveys", informant, hand.evaluation()).status_code == 403
    assert p.post(f"/api/surveys/{sid}/codes", informant, {"count": 2}).status_code == 403
    assert p.get(f"/api/surveys/{sid}/results", informant).status_code == 403
    assert p.post(f"/api/surveys/{sid}/codes", admin, {"count": 2, "sample": 1}).status_code \
        == 422


def open_survey(p: Pipeline, admin: str, **extra: Any) -> int:
    body = {"title": "中小企业发展需求调查", "kind": "survey", "access": "open",
            "questions": [{"id": "needs", "type": "multiple", "text": "最需要的服务", "max": 2,
                           "options": ["融资", "用工", "用地"], "required": True},
                          {"id": "say", "type": "text", "text": "其他意见"}], **extra}
    created = p.post("/api/surveys", admin, body)
    assert created.status_code == 201, created.text
    sid: int = created.json()["id"]
    return sid


def test_an_open_survey_flags_repeats_drops_the_honeypot_and_a_retry_is_one_ballot(
        city: tuple[Pipeline, str]) -> None:
    p, admin = city
    sid = open_survey(p, admin)
    # until the first ballot the questions may change: a new version reaches scoring's copy
    revised = p.client.put(f"/api/surveys/{sid}", headers={"Authorization": f"Bearer {admin}"},
                           json={"title": "中小企业发展需求调查（修订）", "kind": "survey",
                                 "access": "open", "questions": [
                                     {"id": "needs", "type": "multiple", "text": "最需要的服务",
                                      "options": ["融资", "用工", "用地"], "max": 2,
                                      "required": True}]})
    assert revised.status_code == 200 and revised.json()["version"] == 2
    first = ballot(p, sid, {"needs": ["融资"]}, key="k-1")
    again = ballot(p, sid, {"needs": ["融资"]}, key="k-1")  # a retry: the same ballot
    assert first.status_code == again.status_code == 201
    assert first.json()["ballot"] == again.json()["ballot"]
    trapped = ballot(p, sid, {"needs": ["用工"]}, website="http://spam.example")
    assert trapped.status_code == 201  # a robot is told nothing
    p.client.cookies.clear()
    ballot(p, sid, {"needs": ["用地", "用工"]})  # the same address, a fresh browser
    p.settle()
    results = p.get(f"/api/surveys/{sid}/results", admin).json()
    assert results["title"] == "中小企业发展需求调查（修订）" and len(results["questions"]) == 1
    assert results["ballots"] == 2 == count(p, Ballot)
    assert results["repeat_address"] == 1
    assert results["questions"][0]["counts"] == {"融资": 1, "用工": 1, "用地": 1}
    ballot(p, sid, {"needs": ["用地"]})  # the browser has answered before
    p.settle()
    results = p.get(f"/api/surveys/{sid}/results", admin).json()
    assert results["repeat_browser"] == 1 and results["repeat_address"] == 2
    assert p.post(f"/api/surveys/{sid}/codes", admin, {"count": 1}).status_code == 409


def test_text_answers_are_screened_and_a_match_is_held_for_admins_only(
        city: tuple[Pipeline, str]) -> None:
    p, admin = city
    sid = open_survey(p, admin)
    ballot(p, sid, {"needs": ["融资"], "say": "希望简化贷款贴息的申报材料"})
    ballot(p, sid, {"needs": ["用工"], "say": "代办贷款请加微信 13812345678"})
    ballot(p, sid, {"needs": ["用地"]})
    p.settle()
    texts = p.get(f"/api/surveys/{sid}/results", admin).json()["questions"][1]["texts"]
    assert sorted((t["text"], t["state"]) for t in texts) == [
        ("代办贷款请加微信 13812345678", "held"), ("希望简化贷款贴息的申报材料", "clean")]
    # every ballot is counted whatever its words
    assert p.get(f"/api/surveys/{sid}/results", admin).json()["ballots"] == 3
    # the portal's result page (结果反馈) shows the clean text only
    published = p.post(f"/api/surveys/{sid}/publish", admin)
    assert published.status_code == 202 and published.json()["url"].endswith(f"/surveys/{sid}.html")
    p.settle()
    page = p.client.get(f"/site/surveys/{sid}.html")
    assert page.status_code == 200
    assert "希望简化贷款贴息的申报材料" in page.text and "13812345678" not in page.text
    assert "有效答卷 3 份" in page.text


def test_the_rate_limit_holds_under_a_burst(city: tuple[Pipeline, str]) -> None:
    p, admin = city
    p.ctx.settings.survey_ballots_per_address = 20
    sid = open_survey(p, admin)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def burst(n: int) -> None:
        start.wait()
        for i in range(5):
            given = casting.BallotIn(survey_id=sid, answers={"needs": ["融资"]},
                                     address="10.0.0.7", key=f"{n}-{i}")
            try:
                casting.cast(p.ctx.db, p.ctx.settings, given, utcnow())
                outcomes.append("ok")
            except TooMany:
                outcomes.append("limited")

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 20 and outcomes.count("limited") == 20
    assert count(p, Ballot) == 20
    with p.ctx.db.session() as session:
        assert session.scalar(sa.select(AddressCount.attempts)) == 40
    # another address is not held back by this one's burst; over HTTP the limit is a 429
    statuses = [ballot(p, sid, {"needs": ["用工"]}, key=f"h-{i}").status_code for i in range(21)]
    assert statuses == [201] * 20 + [429]
    refused = ballot(p, sid, {"needs": ["用工"]})
    assert "频繁" in refused.json()["detail"] and int(refused.headers["Retry-After"]) > 0
    assert count(p, Ballot) == 40


def test_two_ballots_racing_with_one_code_make_one_ballot_on_postgresql(
        pg_url: str, tmp_path: Path) -> None:
    p = Pipeline(Settings(data_dir=tmp_path / "var", database_url=pg_url,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        for slug, name in hand.UNITS:
            p.unit(slug, name, "county")
        admin = p.user("孙伟", role="admin")
        sid = p.post("/api/surveys", admin, hand.evaluation(anonymous=False)).json()["id"]
        codes = p.post(f"/api/surveys/{sid}/codes", admin, {"count": 3}).json()["codes"]
        for code in codes:
            outcomes: list[str] = []
            start = threading.Barrier(8)

            def race(n: int, code: str = code, outcomes: list[str] = outcomes,
                     start: threading.Barrier = start) -> None:
                given = casting.BallotIn(survey_id=sid, answers=hand.BALLOTS[n % 3], code=code,
                                         address=f"10.1.0.{n}")
                start.wait()
                try:
                    casting.cast(p.ctx.db, p.ctx.settings, given, utcnow())
                    outcomes.append("ok")
                except Conflict:
                    outcomes.append("used")
                except Refusal as exc:
                    outcomes.append(exc.message)

            threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(outcomes) == ["ok"] + ["used"] * 7
        assert count(p, Ballot) == 3
        with p.ctx.db.session() as session:
            assert len(set(session.scalars(sa.select(Ballot.code_id)))) == 3
    finally:
        p.close()


def test_a_survey_closes_on_its_own_when_its_time_is_up(pipeline: Pipeline) -> None:
    from ingest.surveys import design

    p = pipeline
    admin = p.user("孙伟", role="admin")
    tomorrow = (utcnow() + dt.timedelta(days=1)).date().isoformat()
    sid = open_survey(p, admin, closes=tomorrow)
    assert p.client.get(f"/api/surveys/{sid}").json()["state"] == "open"
    with p.ctx.db.transaction() as session:
        assert design.close_ended(session, utcnow()) == []
        assert design.close_ended(session, utcnow() + dt.timedelta(days=3)) == [sid]
    p.settle()
    assert p.get(f"/api/surveys/{sid}/results", admin).json()["closed"] is not None
    page = p.client.get(f"/surveys/{sid}")
    assert page.status_code == 200 and "已结束" in page.text and "<form" not in page.text


def test_a_close_that_comes_before_the_definition_is_kept_for_it(tmp_path: Path) -> None:
    p = banded(tmp_path)
    try:
        admin, sid, scoring, opened, cast, closed = _closed_evaluation(p)
        for event in (closed, *cast):
            assert deliver(p.ctx.db, scoring, event)
        # nothing to show yet: the questions are not known
        assert p.get(f"/api/surveys/{sid}/results", admin).status_code == 404
        assert p.get("/api/evaluations", admin).json()["results"] == []
        assert deliver(p.ctx.db, scoring, opened)
        assert _points(p, admin) == BANDED_POINTS
        results = p.get(f"/api/surveys/{sid}/results", admin).json()
        assert results["ballots"] == 3 and results["closed"] is not None
        assert {u["unit"]: u["score"] for u in results["units"]} == hand.SCORES
    finally:
        p.close()


def test_an_older_publication_of_the_results_arriving_late_leaves_the_newer_page(
        pipeline: Pipeline) -> None:
    p = pipeline
    admin = p.user("孙伟", role="admin")
    sid = open_survey(p, admin)
    ballot(p, sid, {"needs": ["融资"]})
    p.settle()
    assert p.post(f"/api/surveys/{sid}/publish", admin).status_code == 202
    (first,) = p.pending(ResultsPublished.TYPE)
    older = ResultsPublished.of(first)
    # the admin publishes again a minute later, once a second ballot is counted
    newer = older.model_copy(update={"ballots": 2,
                                     "published": older.published + dt.timedelta(minutes=1)})
    publisher = p.subscription("publisher-surveys")
    assert deliver(p.ctx.db, publisher, newer.event(f"survey/{sid}"))
    assert deliver(p.ctx.db, publisher, first)  # the first publication, relayed late
    page = p.client.get(f"/site/surveys/{sid}.html")
    assert page.status_code == 200 and "有效答卷 2 份" in page.text
