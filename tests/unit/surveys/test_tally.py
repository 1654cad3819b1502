"""Counting ballots against the figures worked by hand in tests/survey_scenario.py."""

from __future__ import annotations

import datetime as dt

from scoring.surveys.tally import BallotView, tally
from services.contracts.surveys import SurveyOpened
from tests import survey_scenario as hand

POINTS = (100, 80, 60, 40, 20)


def definition(**changes: object) -> SurveyOpened:
    data = hand.evaluation()
    return SurveyOpened.model_validate({
        "survey": 7, "title": data["title"], "kind": "evaluation", "access": "codes",
        "anonymous": True, "opens": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        "units": [{"slug": s, "name": n} for s, n in hand.UNITS],
        "questions": data["questions"], **changes})


def test_an_evaluation_counts_to_the_hand_computed_table() -> None:
    results = tally(definition(), [BallotView(answers=b) for b in hand.BALLOTS], POINTS)
    assert results["ballots"] == 3
    units = {u["unit"]: u for u in results["units"]}
    assert {u: units[u]["score"] for u in units} == hand.SCORES
    assert {u: units[u]["rated"] for u in units} == hand.RATED
    assert {u: units[u]["rank"] for u in units} == hand.RANKS
    q1, q2, q3, q4, q5 = results["questions"]
    assert q1["counts"] == hand.Q1_COUNTS and q1["percents"] == hand.Q1_PERCENTS
    assert q1["answered"] == 9 and q1["mean"] == hand.Q1_MEAN and q1["rated"] == 8
    assert q2["mean"] == hand.Q2_MEAN
    assert q3["counts"] == hand.Q3_COUNTS and q3["percents"] == hand.Q3_PERCENTS
    assert q4["answered"] == 4 and q4["mean"] == round((5 + 4 + 4) / 3, 2)
    assert q5["texts"] == [{"text": "窗口服务很好", "state": "pending"}]
    linjiang_q5 = units["linjiang"]["questions"][4]
    assert linjiang_q5["texts"] == [{"text": "窗口服务很好", "state": "pending"}]
    assert units["baihe"]["questions"][4]["texts"] == []


def test_the_grade_points_are_settings() -> None:
    results = tally(definition(), [BallotView(answers=b) for b in hand.BALLOTS],
                    (5, 4, 3, 2, 1))
    # the same grades on a 5-point scale: 青山 (5+4+5+4+4+5+5+4) / 8 = 4.5
    assert {u["unit"]: u["score"] for u in results["units"]}["qingshan"] == 4.5


def test_equal_scores_share_a_rank_and_a_unit_nobody_rated_has_none() -> None:
    ballots = [BallotView(answers={"qingshan": {"q1": 4, "q2": 4, "q3": "否"},
                                   "linjiang": {"q1": 4, "q2": 4, "q3": "否"},
                                   "baihe": {"q1": 0, "q2": 0, "q3": "否"}})]
    units = {u["unit"]: u for u in tally(definition(), ballots, POINTS)["units"]}
    assert units["qingshan"]["rank"] == units["linjiang"]["rank"] == 1
    assert units["baihe"]["score"] is None and "rank" not in units["baihe"]


def test_a_survey_counts_multiple_choices_numbers_and_repeat_signals() -> None:
    survey = SurveyOpened.model_validate({
        "survey": 1, "title": "企业需求调查", "kind": "survey", "access": "open",
        "anonymous": False, "opens": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        "questions": [{"id": "needs", "type": "multiple", "text": "需要",
                       "options": ["融资", "用工", "用地"]},
                      {"id": "staff", "type": "number", "text": "职工人数"}]})
    ballots = [BallotView(answers={"": {"needs": ["融资", "用工"], "staff": 120}}),
               BallotView(answers={"": {"needs": ["融资"], "staff": 35}}, repeat_address=True),
               BallotView(answers={"": {"staff": 1000}}, repeat_browser=True)]
    results = tally(survey, ballots, POINTS)
    needs, staff = results["questions"]
    assert needs["counts"] == {"融资": 2, "用工": 1, "用地": 0}
    assert needs["percents"] == {"融资": 100.0, "用工": 50.0, "用地": 0.0}
    assert staff["mean"] == 385.0 and staff["min"] == 35 and staff["max"] == 1000
    assert (results["ballots"], results["repeat_address"], results["repeat_browser"]) == (3, 1, 1)
    assert "units" not in results


def test_texts_carry_their_screening_state() -> None:
    ballots = [BallotView(answers=hand.BALLOTS[1], screened=True,
                          held=frozenset({"linjiang/q5"})),
               BallotView(answers={"qingshan": {"q1": 3, "q2": 3, "q3": "否", "q5": "很好"}},
                          screened=True),
               BallotView(answers={"baihe": {"q1": 3, "q2": 3, "q3": "否", "q5": "待看"}})]
    texts = tally(definition(), ballots, POINTS)["questions"][4]["texts"]
    assert texts == [{"text": "窗口服务很好", "state": "held"}, {"text": "很好", "state": "clean"},
                     {"text": "待看", "state": "pending"}]
