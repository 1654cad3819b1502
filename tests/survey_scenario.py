"""One evaluation worked by hand: three units, five questions, three ballots, and the figures
an office would compute from them on paper (the tests check every counting path against it)."""

from __future__ import annotations

from typing import Any

UNITS = [("qingshan", "青山县经济和信息化局"), ("linjiang", "临江区经济和信息化局"),
         ("baihe", "白河县经济和信息化局")]

QUESTIONS: list[dict[str, Any]] = [
    {"id": "q1", "type": "scale5", "text": "服务态度", "required": True},
    {"id": "q2", "type": "scale5", "text": "办事效率", "required": True},
    {"id": "q3", "type": "single", "text": "今年是否到该单位办过事", "options": ["是", "否"],
     "required": True},
    {"id": "q4", "type": "scale5", "text": "惠企政策落实", "show_if": {"question": "q3",
                                                                "answer": "是"}},
    {"id": "q5", "type": "text", "text": "意见和建议", "long": True},
]


def evaluation(**extra: Any) -> dict[str, Any]:
    return {"title": "2026年度县区经信部门服务企业网上评议", "kind": "evaluation",
            "access": "codes", "anonymous": True, "units": [slug for slug, _ in UNITS],
            "description": "请根据贵企业今年与各单位打交道的实际感受评价。",
            "questions": QUESTIONS, **extra}


BALLOTS: list[dict[str, dict[str, Any]]] = [
    {"qingshan": {"q1": 5, "q2": 4, "q3": "是", "q4": 5},
     "linjiang": {"q1": 3, "q2": 3, "q3": "否"},
     "baihe": {"q1": 0, "q2": 2, "q3": "否"}},
    {"qingshan": {"q1": 4, "q2": 4, "q3": "否"},
     "linjiang": {"q1": 4, "q2": 5, "q3": "是", "q4": 4, "q5": "窗口服务很好"},
     "baihe": {"q1": 1, "q2": 2, "q3": "是", "q4": 0}},
    {"qingshan": {"q1": 5, "q2": 5, "q3": "是", "q4": 4},
     "linjiang": {"q1": 2, "q2": 0, "q3": "否"},
     "baihe": {"q1": 3, "q2": 3, "q3": "否"}},
]

# By hand, with 非常满意 100, 满意 80, 一般 60, 不满意 40, 非常不满意 20 and 不了解 left out:
#   青山 100 80 100 | 80 80 | 100 100 80      = 720 / 8 = 90.00
#   临江 60 60 | 80 100 80 | 40               = 420 / 6 = 70.00
#   白河 40 | 20 40 | 60 60                   = 220 / 5 = 44.00
SCORES = {"qingshan": 90.0, "linjiang": 70.0, "baihe": 44.0}
RATED = {"qingshan": 8, "linjiang": 6, "baihe": 5}
RANKS = {"qingshan": 1, "linjiang": 2, "baihe": 3}
# 服务态度 over all units: grades 5 4 5 | 3 4 2 | 0 1 3
Q1_COUNTS = {"非常满意": 2, "满意": 2, "一般": 2, "不满意": 1, "非常不满意": 1, "不了解": 1}
Q1_PERCENTS = {"非常满意": 22.2, "满意": 22.2, "一般": 22.2, "不满意": 11.1, "非常不满意": 11.1,
               "不了解": 11.1}
Q1_MEAN = 3.38  # 27 / 8 = 3.375, rounded half up
Q2_MEAN = 3.5  # 4 3 2 4 5 2 5 3 (one 不了解 left out) = 28 / 8
Q3_COUNTS = {"是": 4, "否": 5}
Q3_PERCENTS = {"是": 44.4, "否": 55.6}


def counted(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The kept results once every ballot is in them, else nothing to wait on. Scoring keeps
    the results at the close and again for each ballot that reaches it later: with the events
    relayed by more than one process, the close may well arrive before the last ballot."""
    complete = len(results) == len(UNITS) and all(r["ballots"] == len(BALLOTS) for r in results)
    return results if complete else []
