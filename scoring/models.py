"""Scoring's tables: the facts it learnt, the append-only ledger and the totals kept from it,
what it knows of each submission, the 约稿 topics, and the rule sets that booked lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.submissions import SubmissionId
from services.db import Base, UTCDateTime, utcnow

_BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class ScoredItem(Base):
    """What scoring knows of one submission (see ``scoring.engine.Item``)."""

    __tablename__ = "scored_items"

    submission_id: Mapped[SubmissionId] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit_slug: Mapped[str] = mapped_column(sa.String(64), index=True)
    unit_kind: Mapped[str] = mapped_column(sa.String(16), default="")
    informant_id: Mapped[int]
    month: Mapped[str] = mapped_column(sa.String(7), index=True)  # the month it counts toward
    status: Mapped[str] = mapped_column(sa.String(16), default="received")
    superseded: Mapped[bool] = mapped_column(default=False)  # a revision was sent in its place
    earned: Mapped[int] = mapped_column(default=0)  # what the ledger holds for it now
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    images: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    topic: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, index=True)
    revision_of: Mapped[SubmissionId | None] = mapped_column(nullable=True)
    duplicate_of: Mapped[SubmissionId | None] = mapped_column(nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reinstated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    url: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    adoptions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    instructions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)


class Fact(Base):
    """Something scoring learnt, kept so that the points can be worked out again under another
    rule set. ``seq`` is the order it was learnt in; ``id`` is the event's (idempotent)."""

    __tablename__ = "scoring_facts"

    seq: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    submission_id: Mapped[SubmissionId | None] = mapped_column(nullable=True)
    unit_slug: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerLine(Base):
    """One booking. Never updated or deleted; a reversal is a line of its own."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(200), unique=True)  # event id + rule
    event_id: Mapped[str] = mapped_column(sa.String(120))
    event_type: Mapped[str] = mapped_column(sa.String(64))
    rule: Mapped[str] = mapped_column(sa.String(64))
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    submission_id: Mapped[SubmissionId | None] = mapped_column(nullable=True, index=True)
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
    last_seq: Mapped[int] = mapped_column(_BIGINT)


class TopicRow(Base):
    """A commissioned topic (约稿): what is asked, of which units, by when."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicUnit(Base):
    __tablename__ = "topic_units"

    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), primary_key=True)
    unit_slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class Award(Base):
    """An adoption by a higher outlet or a leader's instruction, as a moderator recorded it;
    one per item and level."""

    __tablename__ = "awards"

    submission_id: Mapped[SubmissionId] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # adoption | instruction
    level: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(200), default="")  # the outlet, or who
    event_id: Mapped[str] = mapped_column(sa.String(36))
    recorded_by: Mapped[int | None] = mapped_column(nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleSet(Base):
    """The text of every rule set that booked lines, by version: a version means one text."""

    __tablename__ = "rule_sets"

    version: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    text: Mapped[str] = mapped_column(sa.Text)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
