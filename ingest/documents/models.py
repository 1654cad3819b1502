"""Ingest's tables for documents: what an office sent, its attachments, and who registered for
a meeting."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, UTCDateTime, utcnow


class DocumentStatus(enum.StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    FLAGGED = "flagged"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    number: Mapped[str] = mapped_column(sa.String(100), default="")
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    issued: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    effective: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    starts: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    attendees: Mapped[str] = mapped_column(sa.String(1000), default="")
    register_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    units: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default=DocumentStatus.RECEIVED)
    status_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    url: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    repealed: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # 已废止 since
    repeal_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list[DocumentAttachment]] = relationship(
        order_by="DocumentAttachment.position", lazy="selectin")

    __table_args__ = (sa.Index("ix_documents_kind_created", "kind", "created_at"),)


class DocumentAttachment(Base):
    __tablename__ = "document_attachments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    position: Mapped[int]
    object_key: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(300))
    format: Mapped[str] = mapped_column(sa.String(8))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))


class Registration(Base):
    """One invited unit's attendees for a meeting (报名); sent again before the deadline, it
    replaces the earlier list."""

    __tablename__ = "meeting_registrations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"))
    unit_slug: Mapped[str] = mapped_column(sa.ForeignKey("units.slug"))
    names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    registered_by: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("document_id", "unit_slug",
                                          name="uq_meeting_registrations_document_unit"),)
