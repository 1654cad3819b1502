"""Ingest's side of a letter: what the writer may see with the query code and secret.

The writer's name, phone and e-mail are not kept here: they go to moderation (the centre and the
handling unit) in ``letter.received`` only. A hash of the phone number is enough for the
per-phone rate limit and for merging a letter sent twice.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class LetterStatus(enum.StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    PAUSED = "paused"
    ANSWERED = "answered"  # awaiting the centre's review
    REPLIED = "replied"
    CLOSED = "closed"
    DECLINED = "declined"


STATUS_LABELS = {
    LetterStatus.RECEIVED: "已收到，待受理", LetterStatus.ASSIGNED: "办理中",
    LetterStatus.PAUSED: "待补充材料", LetterStatus.ANSWERED: "答复审核中",
    LetterStatus.REPLIED: "已答复，请评价", LetterStatus.CLOSED: "已办结",
    LetterStatus.DECLINED: "不予受理",
}


class Letter(Base):
    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)  # 查询码
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    type: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    consent: Mapped[bool] = mapped_column(default=False)
    writer_unit: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=LetterStatus.RECEIVED)
    status_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    question: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # 挂起: asked
    reply: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # the approved answer
    rating: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    url: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    # the time of the publication or retraction that set ``url`` (they come from two components'
    # outboxes: the older may arrive last)
    url_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_letters_merge", "phone_hash", "content_hash", "created_at"),)


class RateWindow(Base):
    """A fixed-window counter per key (a client address, a phone hash): in the database, so the
    limit holds across every API process."""

    __tablename__ = "rate_windows"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    window: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)
