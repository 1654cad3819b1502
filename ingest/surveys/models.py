"""Ingest's survey tables: the surveys, their ballot codes, the ballots, the address counters.

In anonymous mode a ballot row holds no code, no respondent, no address and only its day, and
its id is random (not a sequence that could be lined up with the order codes were used in); a
code row records only that it was used, never when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class Survey(Base):
    __tablename__ = "survey_surveys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(16))  # survey | evaluation
    access: Mapped[str] = mapped_column(sa.String(16))  # open | codes
    anonymous: Mapped[bool] = mapped_column(default=False)
    opens: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    # the questions and the rated units, as the contract types dump them
    questions: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    units: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_by: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BallotCode(Base):
    __tablename__ = "survey_codes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_surveys.id"))
    code_hash: Mapped[str] = mapped_column(sa.String(64))  # the code itself is never stored
    respondent: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    used: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.UniqueConstraint("survey_id", "code_hash"),)


class Ballot(Base):
    __tablename__ = "survey_ballots"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, not a sequence
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_surveys.id"), index=True)
    day: Mapped[dt.date] = mapped_column(sa.Date)  # never finer than the day
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # a key the page sends with each ballot, so that a retry finds the first ballot
    key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # identified surveys only (None in anonymous mode)
    code_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_codes.id"), nullable=True,
                                                unique=True)
    respondent: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    repeat_address: Mapped[bool] = mapped_column(default=False)
    repeat_browser: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.UniqueConstraint("survey_id", "key"),)


class AddressCount(Base):
    """Attempts from one (hashed) client address on one survey in one window: the rate limit,
    kept in the database so that it holds across processes."""

    __tablename__ = "survey_address_counts"

    survey_id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    window: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # window start, epoch s
    attempts: Mapped[int] = mapped_column(default=0)
    ballots: Mapped[int] = mapped_column(default=0)
