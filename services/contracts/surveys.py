"""Surveys and evaluations (网上调查、网上评议): the definition and the events that carry it.

Ingest keeps the surveys and receives the ballots; scoring keeps a copy of each definition (from
``survey.opened``) and the answers (from ``survey.ballot_cast``) and counts them. A ballot event
never names its code, its address or a time finer than the day, so no consumer can learn them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.payload import Payload, Timestamp

Day = Annotated[dt.date, Field(strict=False)]  # an ISO date on the wire

QuestionType = Literal["single", "multiple", "scale5", "number", "text"]
Kind = Literal["survey", "evaluation"]
Access = Literal["open", "codes"]

# One answer: an option (single), options (multiple), a grade 0-5 (scale5), a number, a text.
Answer = int | float | str | list[str]

# The grades of 好差评, 5 down to 1; 0 is 不了解, which no mean counts.
SCALE5: tuple[tuple[int, str], ...] = ((5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                       (1, "非常不满意"), (0, "不了解"))
GRADE_LABELS = dict(SCALE5)
UNKNOWN_GRADE = 0


class ShowIf(BaseModel):
    """Ask a question only when an earlier one was answered so (an option, or a grade)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=1, max_length=32)
    answer: str | int


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    type: QuestionType
    text: str = Field(min_length=1, max_length=500)
    options: tuple[str, ...] = Field(default=(), max_length=50)
    required: bool = False
    # multiple: the most options one may choose; number: the largest value
    max: float | None = None
    min: float | None = None  # number: the smallest value
    long: bool = False  # text: a long answer (a text area) rather than one line
    show_if: ShowIf | None = None


class RatedUnit(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name: str


class SurveyOpened(Payload):
    """A survey's definition, as it stands (sent again, with a higher version, when revised)."""

    TYPE: ClassVar[str] = "survey.opened"

    survey: int
    version: int = 1
    title: str
    description: str = ""
    kind: Kind
    access: Access
    anonymous: bool
    opens: Timestamp
    closes: Timestamp | None = None
    units: list[RatedUnit] = Field(default_factory=list)
    questions: list[Question]


class BallotCast(Payload):
    """One accepted ballot. ``answers`` maps a rated unit's slug (``""`` for a survey) to the
    answers given; ``respondent`` is the code's respondent, and only when not anonymous."""

    TYPE: ClassVar[str] = "survey.ballot_cast"

    survey: int
    ballot: str
    day: Day
    answers: dict[str, dict[str, Answer]]
    respondent: str | None = None
    # the ids of the text questions, whose answers moderation screens before the public sees them
    text_questions: list[str] = Field(default_factory=list)
    repeat_address: bool = False  # the address had already answered (open surveys: a signal)
    repeat_browser: bool = False  # the browser had already answered (a signal only)


class HeldText(BaseModel):
    """A text answer that screening holds back from anyone but admins, and why."""

    model_config = ConfigDict(frozen=True)

    unit: str  # "" for a survey
    question: str
    verdict: Literal["flagged", "rejected"]
    categories: list[str] = Field(default_factory=list)


class TextsScreened(Payload):
    """Moderation screened a ballot's text answers with the lexicon: ``held`` lists those that
    matched (the rest are clean)."""

    TYPE: ClassVar[str] = "survey.texts_screened"

    survey: int
    ballot: str
    held: list[HeldText] = Field(default_factory=list)


class SurveyClosed(Payload):
    TYPE: ClassVar[str] = "survey.closed"

    survey: int
    closed: Timestamp
    # the ballots cast before the close (counted under the lock every ballot takes to be cast):
    # the events of the last ballots may reach a consumer after this one, and scoring books an
    # evaluation's points only once it holds them all. None in events from before it was sent
    ballots: int | None = None


class ResultsPublished(Payload):
    """An admin published the results (结果反馈): what the portal's page shows. The texts in it
    are only those screening found clean; the codes, addresses and repeat signals are not in it.
    ``questions`` and ``units`` have the shape of ``GET /api/surveys/{id}/results``."""

    TYPE: ClassVar[str] = "survey.results_published"

    survey: int
    title: str
    kind: Kind
    ballots: int
    closed: Timestamp | None = None
    published: Timestamp
    questions: list[dict[str, Any]]
    units: list[dict[str, Any]] = Field(default_factory=list)
