"""Moderation's side of a letter: the case the centre routes and the handling unit answers.

This is the one place the writer's name, phone and e-mail are kept; they are read only through
the letter API, by the centre and the handling unit, and every read is on the audit log.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class CaseState(enum.StrEnum):
    RECEIVED = "received"  # with the centre, to accept and assign (again, after a 退回)
    ASSIGNED = "assigned"
    PAUSED = "paused"  # 挂起: waiting for material from the writer
    ANSWERED = "answered"  # the unit answered; the centre reviews
    REPLIED = "replied"  # the writer sees the answer
    CLOSED = "closed"
    DECLINED = "declined"  # 不予受理


OPEN_STATES = (CaseState.ASSIGNED, CaseState.PAUSED)


class LetterCase(Base):
    __tablename__ = "letter_cases"

    letter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(sa.String(16))
    type: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(32))
    email: Mapped[str] = mapped_column(sa.String(100), default="")
    enterprise: Mapped[str] = mapped_column(sa.String(100), default="")
    show_enterprise: Mapped[bool] = mapped_column(default=False)
    consent: Mapped[bool] = mapped_column(default=False)
    writer_unit: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(sa.String(16), default=CaseState.RECEIVED, index=True)
    unit: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, index=True)
    suggested_unit: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    assigned_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    due: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    paused_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    question: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    supplement: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    extension_days: Mapped[int | None] = mapped_column(nullable=True)  # asked for, not granted
    extension_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    draft_reply: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    reply: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    replied_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    reopened: Mapped[int] = mapped_column(default=0)
    rating: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published: Mapped[bool] = mapped_column(default=False)
    claimed_by: Mapped[int | None] = mapped_column(nullable=True)
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
