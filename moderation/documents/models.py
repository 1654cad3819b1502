from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class DocumentReview(Base):
    """A screened document: what screening found, and who decided it."""

    __tablename__ = "document_reviews"

    document_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(sa.String(16))  # approved, flagged, rejected
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # the received event's data
    findings: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    lexicon_version: Mapped[str] = mapped_column(sa.String(32), default="")
    screened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    __table_args__ = (sa.Index("ix_document_reviews_state", "state"),)
