"""What scoring keeps of the publisher's enterprise events for the review: each item's read
total per day (``item.read``), each published item's column (``submission.published``), and the
featured lists (``feature.listed``). Every handler sets rather than adds, so an event delivered
twice, or an older total or list arriving after a newer one, changes nothing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.contracts.enterprises import FeatureListed, ItemRead
from services.contracts.submissions import Published
from services.db import Base, UTCDateTime
from services.events import Event
from services.inbox import Subscription


class ReadTotal(Base):
    __tablename__ = "scoring_read_totals"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    unit_slug: Mapped[str] = mapped_column(sa.String(64), index=True)
    reads: Mapped[int] = mapped_column(default=0)


class ItemColumn(Base):
    __tablename__ = "scoring_item_columns"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    column: Mapped[str] = mapped_column(sa.String(16))


class FeatureMark(Base):
    """One enterprise on one year's featured list."""

    __tablename__ = "scoring_feature_marks"

    series: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rank: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(sa.String(100))
    unit_slug: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, index=True)


class FeatureListing(Base):
    """When a year's list was last imported: an older import arriving late leaves it be."""

    __tablename__ = "scoring_feature_listings"

    series: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    listed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def subscription() -> Subscription:
    def read(session: Session, event: Event) -> None:
        p = ItemRead.of(event)
        row = session.get(ReadTotal, (p.item, p.day))
        if row is None:
            session.add(ReadTotal(submission_id=p.item, day=p.day, unit_slug=p.unit,
                                  reads=p.reads))
        else:  # totals of a day only grow: the larger one is the later
            row.reads = max(row.reads, p.reads)

    def published(session: Session, event: Event) -> None:
        p = Published.of(event)
        row = session.get(ItemColumn, p.submission)
        if row is None:
            session.add(ItemColumn(submission_id=p.submission, column=p.column))
        else:
            row.column = p.column

    def listed(session: Session, event: Event) -> None:
        p = FeatureListed.of(event)
        listing = session.get(FeatureListing, (p.series, p.year), with_for_update=True)
        if listing is not None and event.time <= listing.listed_at:
            return  # a newer import of the list is kept
        if listing is None:
            session.add(FeatureListing(series=p.series, year=p.year, listed_at=event.time))
        else:
            listing.listed_at = event.time
        session.execute(sa.delete(FeatureMark).where(FeatureMark.series == p.series,
                                                     FeatureMark.year == p.year))
        session.add_all(FeatureMark(series=p.series, year=p.year, rank=e.rank, title=p.title,
                                    unit_slug=e.unit) for e in p.entries)

    return Subscription(consumer="scoring-enterprises",
                        handlers={ItemRead.TYPE: read, Published.TYPE: published,
                                  FeatureListed.TYPE: listed})
