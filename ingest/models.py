"""Ingest's tables: the submissions as informants see them, their photos, idempotency keys."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.contracts.submissions import SubmissionId
from services.db import Base, UTCDateTime, utcnow


class Status(enum.StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    FLAGGED = "flagged"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    RETURNED = "returned"
    RETRACTED = "retracted"


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[SubmissionId] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    column: Mapped[str] = mapped_column(sa.String(16))
    unit_slug: Mapped[str] = mapped_column(sa.ForeignKey("units.slug"))
    informant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    topic: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    revision_of: Mapped[SubmissionId | None] = mapped_column(sa.ForeignKey("submissions.id"),
                                                    nullable=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.RECEIVED)
    status_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    url: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    photos: Mapped[list[Photo]] = relationship(order_by="Photo.position", lazy="selectin")

    __table_args__ = (
        sa.Index("ix_submissions_unit_created", "unit_slug", "created_at"),
        sa.Index("ix_submissions_status", "status"),
    )


class Photo(Base):
    __tablename__ = "submission_photos"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    position: Mapped[int]
    object_key: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(300))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    format: Mapped[str] = mapped_column(sa.String(16))
    width: Mapped[int]
    height: Mapped[int]
    bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    caption: Mapped[str] = mapped_column(sa.String(1000), default="")


class IdempotencyKey(Base):
    """The first answer to a request made with an ``Idempotency-Key``, per user."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
