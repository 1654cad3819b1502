"""Moderation's tables: each screened submission's review, from screening to a decision."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.submissions import SubmissionId
from services.db import Base, UTCDateTime, utcnow


class ReviewState(enum.StrEnum):
    FLAGGED = "flagged"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"


class Review(Base):
    __tablename__ = "reviews"

    submission_id: Mapped[SubmissionId] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # the received event's data
    findings: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    lexicon_version: Mapped[str] = mapped_column(sa.String(32), default="")
    unit_slug: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    screened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(nullable=True)
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    __table_args__ = (sa.Index("ix_reviews_state_screened", "state", "screened_at"),)
