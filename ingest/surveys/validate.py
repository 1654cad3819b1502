"""Checking a survey's design and a ballot's answers against it (pure: no database, no web).

A question with ``show_if`` is asked only when the earlier answer it names was given; an
answer to a question that was not asked is dropped (a page without script shows every question,
and cannot know), and a required question is required only when it is asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from services.contracts.surveys import GRADE_LABELS, Answer, Question
from services.refusals import Invalid

MAX_OPTION_CHARS = 200


class BallotInvalid(Invalid):
    """Some answers are wrong or missing: ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        listed = "；".join(f"{field}: {message}" for field, message in self.errors.items())
        super().__init__(f"答卷有误 (invalid answers)：{listed}")


# --- the design ---------------------------------------------------------------------------------

def check_design(questions: Sequence[Question], *, max_questions: int) -> None:
    """Raise ``Invalid`` unless the questions make a survey that can be answered."""
    if not questions:
        raise Invalid("至少需要一道题 (a survey needs at least one question)")
    if len(questions) > max_questions:
        raise Invalid(f"题目不能超过 {max_questions} 道 (too many questions)")
    seen: dict[str, Question] = {}
    for n, q in enumerate(questions, 1):
        where = f"第{n}题（{q.id}）"
        if q.id in seen:
            raise Invalid(f"{where}：题号重复 (duplicate question id)")
        if not q.text.strip():
            raise Invalid(f"{where}：题目文字不能为空 (question text is required)")
        _check_options(q, where)
        _check_bounds(q, where)
        if q.show_if is not None:
            earlier = seen.get(q.show_if.question)
            if earlier is None:
                raise Invalid(f"{where}：显示条件须引用前面的题目 "
                              "(show_if must name an earlier question)")
            if not _is_possible_answer(earlier, q.show_if.answer):
                raise Invalid(f"{where}：显示条件中的答案不是第 {earlier.id} 题的选项 "
                              "(show_if answer is not a choice of that question)")
        seen[q.id] = q


def _check_options(q: Question, where: str) -> None:
    if q.type in ("single", "multiple"):
        options = [o.strip() for o in q.options]
        if len(options) < 2:
            raise Invalid(f"{where}：选择题至少需要两个选项 (a choice needs two options)")
        if any(not o or len(o) > MAX_OPTION_CHARS for o in options):
            raise Invalid(f"{where}：选项不能为空或过长 (empty or long option)")
        if len(set(options)) != len(options) or options != list(q.options):
            raise Invalid(f"{where}：选项重复或首尾有空格 (duplicate or padded option)")
    elif q.options:
        raise Invalid(f"{where}：只有选择题有选项 (only choices have options)")


def _check_bounds(q: Question, where: str) -> None:
    for bound in (q.min, q.max):
        if bound is not None and not math.isfinite(bound):
            raise Invalid(f"{where}：上下限须为有限数 (bounds must be finite)")
    if q.type == "multiple" and q.max is not None:
        if q.max != int(q.max) or not 1 <= q.max <= len(q.options) or q.min is not None:
            raise Invalid(f"{where}：最多可选项数须在 1 到选项数之间 "
                          "(max must be between 1 and the number of options)")
    elif q.type == "number":
        if q.min is not None and q.max is not None and q.min > q.max:
            raise Invalid(f"{where}：下限大于上限 (min is above max)")
    elif q.min is not None or q.max is not None:
        raise Invalid(f"{where}：此题型没有上下限 (this type takes no min or max)")


def _is_possible_answer(q: Question, answer: str | int) -> bool:
    if q.type in ("single", "multiple"):
        return isinstance(answer, str) and answer in q.options
    if q.type == "scale5":
        return isinstance(answer, int) and not isinstance(answer, bool) and answer in GRADE_LABELS
    return False  # numbers and texts are no condition


# --- a ballot -----------------------------------------------------------------------------------

def is_asked(q: Question, given: Mapping[str, Answer]) -> bool:
    """Whether ``q`` is asked, given the answers so far."""
    if q.show_if is None:
        return True
    earlier = given.get(q.show_if.question)
    if earlier is None:
        return False
    if isinstance(earlier, list):
        return q.show_if.answer in earlier
    return earlier == q.show_if.answer


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str)
                                                          and not value.strip())


def clean_answers(questions: Sequence[Question], raw: Mapping[str, Any], *,
                  max_text_chars: int, prefix: str = "") -> dict[str, Answer]:
    """The answers as they are kept, or ``BallotInvalid`` naming each field that is wrong.

    ``prefix`` names the fields in the errors (``unit/`` for an evaluation's unit).
    """
    errors: dict[str, str] = {}
    known = {q.id for q in questions}
    for key in raw:
        if key not in known:
            errors[f"{prefix}{key}"] = "没有这道题 (unknown question)"
    clean: dict[str, Answer] = {}
    for q in questions:
        if not is_asked(q, clean):
            continue
        value = raw.get(q.id)
        if _blank(value):
            if q.required:
                errors[f"{prefix}{q.id}"] = "此题必答 (required)"
            continue
        try:
            clean[q.id] = _clean_one(q, value, max_text_chars)
        except ValueError as exc:
            errors[f"{prefix}{q.id}"] = str(exc)
    if errors:
        raise BallotInvalid(errors)
    return clean


def _clean_one(q: Question, value: Any, max_text_chars: int) -> Answer:
    if q.type == "single":
        if not isinstance(value, str) or value not in q.options:
            raise ValueError("请选择所列选项之一 (choose one of the options)")
        return value
    if q.type == "multiple":
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            raise ValueError("请选择所列选项 (choose from the options)")
        if any(v not in q.options for v in chosen):
            raise ValueError("含有不在所列选项中的答案 (not one of the options)")
        if len(set(chosen)) != len(chosen):
            raise ValueError("同一选项选了两次 (an option chosen twice)")
        if q.max is not None and len(chosen) > q.max:
            raise ValueError(f"最多选 {int(q.max)} 项 (choose at most {int(q.max)})")
        return [o for o in q.options if o in chosen]  # in the options' order
    if q.type == "scale5":
        grade = _integer(value)
        if grade is None or grade not in GRADE_LABELS:
            raise ValueError("请选择一个评价等级 (choose a grade)")
        return grade
    if q.type == "number":
        number = _number(value)
        if number is None:
            raise ValueError("请填写数字 (a number, please)")
        if q.min is not None and number < q.min:
            raise ValueError(f"不能小于 {_show(q.min)} (at least {_show(q.min)})")
        if q.max is not None and number > q.max:
            raise ValueError(f"不能大于 {_show(q.max)} (at most {_show(q.max)})")
        return int(number) if number == int(number) and abs(number) < 2**53 else number
    if not isinstance(value, str):
        raise ValueError("请填写文字 (text, please)")
    text = value.strip()
    if len(text) > max_text_chars:
        raise ValueError(f"不能超过 {max_text_chars} 字 (at most {max_text_chars} characters)")
    if "\x00" in text:
        raise ValueError("含有无法保存的字符 (holds a character that cannot be stored)")
    return text


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 3:
        return int(value.strip())
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _show(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)
