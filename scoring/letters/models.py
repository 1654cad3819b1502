"""One row a letter: what scoring knows of it from the events (never the writer's details)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class LetterFact(Base):
    __tablename__ = "letter_facts"

    letter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(sa.String(7), index=True)  # received, in local time
    type: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, index=True)
    # the time of the event that set ``unit``: an older assignment arriving late leaves it be
    unit_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    answered: Mapped[bool] = mapped_column(default=False)
    on_time: Mapped[bool] = mapped_column(default=False)
    overdue: Mapped[bool] = mapped_column(default=False)  # escalated (督办) or answered late
    extended: Mapped[bool] = mapped_column(default=False)
    paused: Mapped[bool] = mapped_column(default=False)
    reopened: Mapped[bool] = mapped_column(default=False)
    declined: Mapped[bool] = mapped_column(default=False)
    sent_back: Mapped[int] = mapped_column(default=0)
    rating: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    rated_by_default: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)  # the close's rating is the last word
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
