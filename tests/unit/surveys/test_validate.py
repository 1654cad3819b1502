"""The pure checks of a survey's design and of a ballot's answers."""

from __future__ import annotations

import pytest

from ingest.surveys.validate import BallotInvalid, check_design, clean_answers, is_asked
from services.contracts.surveys import Question, ShowIf
from services.refusals import Invalid

SIZE = Question(id="size", type="single", text="企业规模", options=("大型", "中型", "小微"),
                required=True)
NEEDS = Question(id="needs", type="multiple", text="最需要的服务", max=2,
                 options=("融资", "用工", "用地", "技术"))
LOAN = Question(id="loan", type="number", text="需要的贷款（万元）", min=0, max=100000,
                required=True, show_if=ShowIf(question="needs", answer="融资"))
MOOD = Question(id="mood", type="scale5", text="总体满意度", required=True)
WHY = Question(id="why", type="text", text="不满意的原因", long=True, required=True,
                show_if=ShowIf(question="mood", answer=1))
QUESTIONS = [SIZE, NEEDS, LOAN, MOOD, WHY]


def clean(raw: dict[str, object]) -> dict[str, object]:
    return clean_answers(QUESTIONS, raw, max_text_chars=50)  # type: ignore[return-value]


def errors_of(raw: dict[str, object]) -> dict[str, str]:
    with pytest.raises(BallotInvalid) as caught:
        clean(raw)
    return caught.value.errors


def test_a_good_ballot_is_kept_as_given_with_choices_in_the_options_order() -> None:
    assert clean({"size": "中型", "needs": ["用地", "融资"], "loan": "300", "mood": 4}) == {
        "size": "中型", "needs": ["融资", "用地"], "loan": 300, "mood": 4}


def test_required_questions_must_be_answered_and_each_missing_one_is_named() -> None:
    errors = errors_of({"needs": ["用工"]})
    assert set(errors) == {"size", "mood"}
    assert "必答" in errors["size"]


def test_a_question_shown_only_after_an_answer_is_required_only_then() -> None:
    # 融资 not chosen: the loan question is not asked, so it is not required ...
    assert clean({"size": "大型", "needs": ["用工"], "mood": 3}) == {
        "size": "大型", "needs": ["用工"], "mood": 3}
    # ... and an answer to it is dropped (a page without script shows every question)
    assert "loan" not in clean({"size": "大型", "needs": ["用工"], "loan": 5, "mood": 3})
    # 融资 chosen: now it is asked and required
    assert set(errors_of({"size": "大型", "needs": ["融资"], "mood": 3})) == {"loan"}
    # a grade as condition: 非常不满意 asks for the reason
    assert set(errors_of({"size": "大型", "mood": 1})) == {"why"}
    assert clean({"size": "大型", "mood": "1", "why": " 审批太慢 "})["why"] == "审批太慢"


def test_is_asked_follows_single_and_multiple_answers() -> None:
    assert not is_asked(LOAN, {})
    assert is_asked(LOAN, {"needs": ["技术", "融资"]})
    assert not is_asked(WHY, {"mood": 2})


def test_a_multiple_choice_takes_no_more_than_its_maximum() -> None:
    assert "最多选 2 项" in errors_of({"size": "大型", "needs": ["融资", "用工", "用地"],
                                       "loan": 1, "mood": 3})["needs"]


def test_wrong_values_are_refused_field_by_field() -> None:
    errors = errors_of({"size": "特大型", "needs": ["融资", "融资"], "loan": "很多",
                        "mood": 7, "extra": "x"})
    # the wrong multiple choice is no answer, so the loan question that hangs on it is not asked
    assert set(errors) == {"size", "needs", "mood", "extra"}
    assert "请填写数字" in errors_of({"size": "大型", "needs": ["融资"], "loan": "很多",
                                   "mood": 3})["loan"]
    assert "不能大于" in errors_of({"size": "大型", "needs": ["融资"], "loan": 100001,
                                   "mood": 3})["loan"]
    assert "不能小于" in errors_of({"size": "大型", "needs": ["融资"], "loan": -1,
                                   "mood": 3})["loan"]
    assert "50" in errors_of({"size": "大型", "mood": 1, "why": "慢" * 51})["why"]
    # a grade is a number from 0 (不了解) to 5; a boolean is no grade
    assert "mood" in errors_of({"size": "大型", "mood": True})
    assert clean({"size": "大型", "mood": 0}) == {"size": "大型", "mood": 0}


@pytest.mark.parametrize(("questions", "says"), [
    ([], "至少需要一道题"),
    ([SIZE, SIZE], "题号重复"),
    ([Question(id="a", type="single", text="只有一个选项", options=("是",))], "两个选项"),
    ([Question(id="a", type="single", text="重复", options=("是", "是"))], "重复"),
    ([Question(id="a", type="text", text="文本", options=("是", "否"))], "只有选择题"),
    ([Question(id="a", type="multiple", text="多选", options=("甲", "乙"), max=3)], "最多可选"),
    ([Question(id="a", type="number", text="数", min=5, max=1)], "下限大于上限"),
    ([Question(id="a", type="scale5", text="满意", max=3)], "没有上下限"),
    ([LOAN], "前面的题目"),
    ([NEEDS, Question(id="b", type="text", text="t",
                      show_if=ShowIf(question="needs", answer="住房"))], "不是第"),
    ([MOOD, Question(id="b", type="text", text="t",
                     show_if=ShowIf(question="mood", answer=9))], "不是第"),
])
def test_a_design_that_cannot_be_answered_is_refused(questions: list[Question],
                                                     says: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_design(questions, max_questions=10)
    assert says in caught.value.message


def test_a_sound_design_passes_and_the_question_limit_holds() -> None:
    check_design(QUESTIONS, max_questions=10)
    with pytest.raises(Invalid, match="不能超过"):
        check_design(QUESTIONS, max_questions=4)
