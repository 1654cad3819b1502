"""The commendation list (表彰名单), decided by the rules file's ``[commendation]`` table.

Down each board (counties, enterprises, informants) in rank order, a candidate is commended when
it passes every rule, until the board's ``top`` are commended. A candidate ranked above the last
one commended that fails a rule is listed as left out with the rule it failed, so that the
office can defend the list at the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.review.period import InformantFigures, PeriodReport, UnitFigures, _ranked
from scoring.rules import CommendationRules

BOARDS = (("county", "县区"), ("enterprise", "重点企业"))


@dataclass(frozen=True)
class Entry:
    board: str
    who: str  # "unit" or "informant"
    key: str  # unit slug or informant id
    name: str
    points: int
    rank: int
    why: str  # the figures that earned it, or the rule it failed
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.who: self.key, "name": self.name, "board": self.board,
                               "points": self.points, "rank": self.rank}
        if self.rule:
            out.update(rule=self.rule, why=self.why)
        else:
            out["why"] = self.why
        return out


def _false_content(report: PeriodReport, rules: CommendationRules,
                   owner: dict[int, str]) -> dict[str, list[int]]:
    """Owner -> items retracted for false content (a reason holding one of the rule's words)."""
    out: dict[str, list[int]] = {}
    for sid, reason in report.retraction_reasons.items():
        if any(word in reason for word in rules.false_content_words) and sid in owner:
            out.setdefault(owner[sid], []).append(sid)
    return out


def _unit_failure(u: UnitFigures, rules: CommendationRules, quota_months: int,
                  false: dict[str, list[int]]) -> tuple[str, str] | None:
    if u.points < rules.min_points:
        return "min_points", f"积分 {u.points} 分，低于表彰下限 {rules.min_points} 分"
    if u.quota_met < quota_months:
        return "min_quota_months", (f"完成月度报送任务 {u.quota_met} 个月，少于要求的 "
                                    f"{quota_months} 个月")
    if false.get(u.unit):
        ids = "、".join(f"#{i}" for i in sorted(false[u.unit]))
        return "false_content", f"有稿件因内容失实被撤稿（稿件 {ids}）"
    return None


def _unit_why(u: UnitFigures) -> str:
    higher = sum(u.adopted.values())
    return (f"积分 {u.points} 分，报送 {u.sent} 篇，门户采用 {u.published} 篇，"
            f"上级采用 {higher} 篇，领导批示 {u.instructed} 次，{u.quota_met} 个月完成报送任务")


def commendations(report: PeriodReport, rules: CommendationRules) -> dict[str, Any]:
    commended: list[Entry] = []
    left_out: list[Entry] = []
    quota_months = rules.quota_months(len(report.months))
    unit_false = _false_content(report, rules, {s: u for s, u in report.item_unit.items()})
    for kind, title in BOARDS:
        chosen: list[Entry] = []
        passed: list[Entry] = []
        for u in report.board(kind):
            if len(chosen) >= rules.top:
                break
            failure = _unit_failure(u, rules, quota_months, unit_false)
            if failure is None:
                chosen.append(Entry(title, "unit", u.unit, u.name, u.points, u.rank,
                                    _unit_why(u)))
            else:
                passed.append(Entry(title, "unit", u.unit, u.name, u.points, u.rank,
                                    failure[1], failure[0]))
        commended += chosen
        # who ranked above the last one commended (or anyone, when the board ran out first)
        last = chosen[-1].rank if len(chosen) >= rules.top else len(passed) + len(chosen) + 1
        left_out += [e for e in passed if e.rank <= last]
    person_false = _false_content(report, rules,
                                  {s: str(i) for s, i in report.item_informant.items()})
    chosen_people: list[Entry] = []
    skipped: list[Entry] = []
    for person in _ranked(list(report.informants)):
        if len(chosen_people) >= rules.top_informants:
            break
        failure = _informant_failure(person, rules, person_false)
        earned = f"积分 {person.points} 分，门户采用 {person.published} 篇（{person.unit_name}）"
        entry = Entry("信息员", "informant", str(person.informant), person.name, person.points,
                      person.rank, failure[1] if failure else earned,
                      failure[0] if failure else "")
        (skipped if failure else chosen_people).append(entry)
    last = chosen_people[-1].rank if len(chosen_people) >= rules.top_informants \
        else len(skipped) + len(chosen_people) + 1
    commended += chosen_people
    left_out += [e for e in skipped if e.rank <= last]
    return {"period": report.period, "rules": rules.to_dict(),
            "commended": [e.to_dict() for e in commended],
            "left_out": [e.to_dict() for e in left_out]}


def _informant_failure(person: InformantFigures, rules: CommendationRules,
                       false: dict[str, list[int]]) -> tuple[str, str] | None:
    if person.points < rules.min_points_informant:
        return "min_points_informant", (f"积分 {person.points} 分，低于信息员表彰下限 "
                                        f"{rules.min_points_informant} 分")
    if false.get(str(person.informant)):
        ids = "、".join(f"#{i}" for i in sorted(false[str(person.informant)]))
        return "false_content", f"有稿件因内容失实被撤稿（稿件 {ids}）"
    return None
