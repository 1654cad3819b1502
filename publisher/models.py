"""The publisher's tables: what is on the site, where it sits in its listings, and the lock row
that serialises everything that writes pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.submissions import SubmissionId
from services.db import Base, UTCDateTime, utcnow


class ItemState:
    PUBLISHED = "published"
    RETRACTED = "retracted"  # taken off the site (撤稿)
    REINSTATING = "reinstating"  # a moderator put it back; the publisher has not written it yet


class PublishedItem(Base):
    """An item that is (or was) on the site.

    ``column_seq`` and ``unit_seq`` number the item within its column and its unit in the order
    of first publication, starting at 1. They never change, not even when the item is retracted
    and reinstated, so the archive page an item is listed on never changes either: publishing
    one item rewrites a fixed number of pages however large the site grows.
    """

    __tablename__ = "published_items"

    submission_id: Mapped[SubmissionId] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(sa.String(16), default=ItemState.PUBLISHED)
    kind: Mapped[str] = mapped_column(sa.String(16))
    column: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    unit_slug: Mapped[str] = mapped_column(sa.String(64))
    informant_id: Mapped[int]
    informant_name: Mapped[str] = mapped_column(sa.String(100), default="")
    # each photo: the original's key in the uploads store, the caption, and the derivatives
    photos: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    photo_count: Mapped[int] = mapped_column(default=0)
    identity: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # for later events
    url: Mapped[str] = mapped_column(sa.String(300))
    lead: Mapped[bool] = mapped_column(default=False)
    column_seq: Mapped[int] = mapped_column(default=0)
    unit_seq: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # first time
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_published_items_column_seq", "column", "column_seq", unique=True),
        sa.Index("ix_published_items_unit_seq", "unit_slug", "unit_seq", unique=True),
        sa.Index("ix_published_items_state_at", "state", "published_at"),
        # the home page's photo strip: the newest items with photos, however few have any
        sa.Index("ix_published_items_with_photos", "state", "published_at",
                 sqlite_where=sa.text("photo_count > 0"),
                 postgresql_where=sa.text("photo_count > 0")),
        # the home page has one lead item (头条): the database refuses a second. The conditions
        # are written as each database sees ``WHERE lead``, so that the lookup uses the index.
        sa.Index("uq_published_items_lead", "lead", unique=True,
                 sqlite_where=sa.text("lead = 1"), postgresql_where=sa.text("lead")),
    )

    @property
    def on_site(self) -> bool:
        return self.state == ItemState.PUBLISHED


class SiteLock(Base):
    """One row; a transaction that writes pages locks it first, so two publisher processes
    never write the home page (or any listing) from two different views of the site."""

    __tablename__ = "site_lock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    renders: Mapped[int] = mapped_column(default=0)


class SitemapBlock(Base):
    """How many article addresses each sitemap file lists (a file holds one block of submission
    ids), so the sitemap index names only files that exist without scanning every item."""

    __tablename__ = "sitemap_blocks"

    block: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    urls: Mapped[int] = mapped_column(default=0)
    lastmod: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishedSurvey(Base):
    """When a survey's result page was last published: a publication older than that, arriving
    late (processes relay the outbox side by side), does not overwrite the newer page."""

    __tablename__ = "published_surveys"

    survey_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
