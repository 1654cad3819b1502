"""Scoring's copy of the surveys and their ballots, and the evaluation results it keeps.

The ballots are the facts; every figure is counted from them (``tally``), so a recount from the
ballots ingest stored gives the same numbers. A ballot here holds what its event held: no code,
no address, only the day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime


class SurveyCopy(Base):
    __tablename__ = "scoring_surveys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    # the survey.opened payload (version 0 and empty: the close came first, the definition is due)
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # how many ballots were cast before the close (survey.closed says): the points wait for them
    ballots_cast: Mapped[int | None] = mapped_column(nullable=True)


class BallotCopy(Base):
    __tablename__ = "scoring_survey_ballots"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(index=True)
    day: Mapped[dt.date] = mapped_column(sa.Date)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    respondent: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    repeat_address: Mapped[bool] = mapped_column(default=False)
    repeat_browser: Mapped[bool] = mapped_column(default=False)


class TextScreening(Base):
    """What moderation said of one ballot's texts: those held back (``unit/question``)."""

    __tablename__ = "scoring_survey_screenings"

    ballot: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(index=True)
    held: Mapped[list[str]] = mapped_column(sa.JSON)


class EvaluationResult(Base):
    """A closed evaluation's result for one rated unit: a fact of that unit's year."""

    __tablename__ = "scoring_evaluation_results"

    survey_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    unit_slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    score: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    ballots: Mapped[int]
    rated: Mapped[int]  # grades that count (不了解 left out)
