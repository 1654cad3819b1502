"""The publisher's tables: what is on the site, and a lock row that serialises index rendering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class PublishedItem(Base):
    __tablename__ = "published_items"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(sa.String(16), default="published")  # or "retracted"
    kind: Mapped[str] = mapped_column(sa.String(16))
    column: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    unit_slug: Mapped[str] = mapped_column(sa.String(64))
    informant_id: Mapped[int]
    informant_name: Mapped[str] = mapped_column(sa.String(100), default="")
    photos: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    identity: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # for later events
    url: Mapped[str] = mapped_column(sa.String(300))
    lead: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_published_column_state_at", "column", "state", "published_at"),
    )


class SiteLock(Base):
    """One row; a transaction that renders indexes locks it first, so two publisher processes
    never write the home page from two different views of the site."""

    __tablename__ = "site_lock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    renders: Mapped[int] = mapped_column(default=0)
