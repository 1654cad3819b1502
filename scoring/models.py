"""Scoring's tables: the append-only ledger, the totals kept from it, and what scoring knows of
each submission (for quotas and for reversing what an item earned)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class ScoredItem(Base):
    __tablename__ = "scored_items"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit_slug: Mapped[str] = mapped_column(sa.String(64), index=True)
    unit_kind: Mapped[str] = mapped_column(sa.String(16), default="")
    informant_id: Mapped[int]
    month: Mapped[str] = mapped_column(sa.String(7), index=True)  # when it was submitted
    status: Mapped[str] = mapped_column(sa.String(16), default="received")
    superseded: Mapped[bool] = mapped_column(default=False)  # a revision was sent in its place
    earned: Mapped[int] = mapped_column(default=0)  # what the ledger holds for it now
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerLine(Base):
    """One booking. Never updated or deleted; a reversal is a line of its own."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                     primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(200), unique=True)  # event id + rule
    event_id: Mapped[str] = mapped_column(sa.String(120))
    event_type: Mapped[str] = mapped_column(sa.String(64))
    rule: Mapped[str] = mapped_column(sa.String(64))
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    submission_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    unit_slug: Mapped[str] = mapped_column(sa.String(64))
    informant_id: Mapped[int | None] = mapped_column(nullable=True)
    points: Mapped[int]
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(sa.String(7))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_ledger_unit_month", "unit_slug", "month"),)


class Total(Base):
    """A running total of one unit or informant over one period (YYYY-MM, YYYY or all)."""

    __tablename__ = "totals"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # unit | informant
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    reached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # ties go to the earlier
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
