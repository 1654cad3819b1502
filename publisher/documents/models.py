from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class PublishedDocument(Base):
    """A document on the site. It is never taken down: a repealed one is marked 已废止."""

    __tablename__ = "published_documents"

    document_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
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
    # each: the site key, the download name, the format, its size in bytes
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    repealed: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    repeal_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    url: Mapped[str] = mapped_column(sa.String(300))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_published_documents_kind_at", "kind", "published_at"),)
