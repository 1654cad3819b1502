"""Counting ballots (pure): counts and percentages per option, means, texts, per-unit scores.

Each text is listed with its screening state: ``clean``, ``held`` (the lexicon matched: only
admins may see it) or ``pending`` (not screened yet: treated as held wherever the public looks).
Percentages are of the ballots that answered the question (a multiple choice may add up to more
than 100). A grade of 0 (不了解) is counted but left out of every mean and score. A unit's
score is the mean, over every grade it was given on every scale question, of the points the
settings give that grade (100, 80, 60, 40, 20 by default). Figures are rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from services.contracts.surveys import SCALE5, UNKNOWN_GRADE, Answer, Question, SurveyOpened


@dataclass(frozen=True)
class BallotView:
    answers: Mapping[str, Mapping[str, Answer]]  # by rated unit ("" for a survey)
    repeat_address: bool = False
    repeat_browser: bool = False
    screened: bool = False  # moderation has screened its texts
    held: frozenset[str] = frozenset()  # "unit/question" of the texts screening holds back


def half_up(value: Fraction, places: int) -> float:
    scale = 10 ** places
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return whole / scale


@dataclass
class _Question:
    q: Question
    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    numbers: list[Fraction] = field(default_factory=list)
    texts: list[dict[str, str]] = field(default_factory=list)

    def add(self, value: Answer, text_state: str = "pending") -> None:
        self.answered += 1
        if self.q.type in ("single", "multiple"):
            for option in value if isinstance(value, list) else [value]:
                key = str(option)
                self.counts[key] = self.counts.get(key, 0) + 1
        elif self.q.type == "scale5" and isinstance(value, int):
            label = dict(SCALE5).get(value, str(value))
            self.counts[label] = self.counts.get(label, 0) + 1
            if value != UNKNOWN_GRADE:
                self.numbers.append(Fraction(value))
        elif self.q.type == "number" and isinstance(value, int | float):
            self.numbers.append(Fraction(value))
        elif isinstance(value, str):
            self.texts.append({"text": value, "state": text_state})

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.q.id, "type": self.q.type, "text": self.q.text,
                               "answered": self.answered}
        if self.q.type in ("single", "multiple", "scale5"):
            labels = list(self.q.options) if self.q.type != "scale5" \
                else [label for _, label in SCALE5]
            out["counts"] = {label: self.counts.get(label, 0) for label in labels}
            out["percents"] = {label: half_up(Fraction(n * 100, self.answered), 1)
                               if self.answered else 0.0 for label, n in out["counts"].items()}
        if self.q.type in ("scale5", "number"):
            out["mean"] = half_up(sum(self.numbers, Fraction(0)) / len(self.numbers), 2) \
                if self.numbers else None
            out["rated"] = len(self.numbers)
        if self.q.type == "number" and self.numbers:
            out["min"], out["max"] = float(min(self.numbers)), float(max(self.numbers))
        if self.q.type == "text":
            out["texts"] = list(self.texts)
        return out


def grade_points(points: Sequence[float]) -> dict[int, Fraction]:
    """The settings' points for grades 5 down to 1, by grade."""
    return {grade: Fraction(p) for grade, p in zip((5, 4, 3, 2, 1), points, strict=True)}


def tally(definition: SurveyOpened, ballots: Iterable[BallotView],
          points: Sequence[float]) -> dict[str, Any]:
    questions = list(definition.questions)
    by_grade = grade_points(points)
    overall = {q.id: _Question(q) for q in questions}
    units = [u.slug for u in definition.units] if definition.kind == "evaluation" else []
    per_unit = {u: {q.id: _Question(q) for q in questions} for u in units}
    unit_ballots = dict.fromkeys(units, 0)
    unit_points: dict[str, list[Fraction]] = {u: [] for u in units}
    count = repeat_address = repeat_browser = 0
    for ballot in ballots:
        count += 1
        repeat_address += ballot.repeat_address
        repeat_browser += ballot.repeat_browser
        for unit, given in ballot.answers.items():
            if unit and unit not in per_unit:
                continue  # a unit no longer rated: nothing to count it in
            if unit and given:
                unit_ballots[unit] += 1
            for qid, value in given.items():
                if qid not in overall:
                    continue
                state = ("held" if f"{unit}/{qid}" in ballot.held else "clean") \
                    if ballot.screened else "pending"
                overall[qid].add(value, state)
                if unit:
                    per_unit[unit][qid].add(value, state)
                    if overall[qid].q.type == "scale5" and isinstance(value, int) \
                            and value in by_grade:
                        unit_points[unit].append(by_grade[value])
    out: dict[str, Any] = {
        "survey": definition.survey, "title": definition.title, "kind": definition.kind,
        "anonymous": definition.anonymous, "access": definition.access,
        "ballots": count, "repeat_address": repeat_address, "repeat_browser": repeat_browser,
        "questions": [overall[q.id].result() for q in questions],
    }
    if definition.kind == "evaluation":
        names = {u.slug: u.name for u in definition.units}
        rows: list[dict[str, Any]] = []
        for unit in units:
            grades = unit_points[unit]
            score = half_up(sum(grades, Fraction(0)) / len(grades), 2) if grades else None
            rows.append({"unit": unit, "name": names[unit], "ballots": unit_ballots[unit],
                         "rated": len(grades), "score": score,
                         "questions": [per_unit[unit][q.id].result() for q in questions]})
        # ranks as an office writes them: equal scores share a rank, the next one skips
        scores = [r["score"] for r in rows if r["score"] is not None]
        for row in rows:
            if row["score"] is not None:
                row["rank"] = 1 + sum(1 for s in scores if s > row["score"])
        out["units"] = rows
    return out
