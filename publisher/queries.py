"""What the pages list, read from the published items. Every query here is bounded: it reads one
page, one block or the newest few items through an index, never a whole column, so its cost
does not grow with the site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from publisher.models import ItemState, PublishedItem
from publisher.render import Listing
from services.identity import Unit

SITEMAP_BLOCK = 1000  # article addresses per sitemap file (the protocol allows 50,000)


def _on_site() -> sa.Select[PublishedItem]:
    return sa.select(PublishedItem).where(PublishedItem.state == ItemState.PUBLISHED)


def _seq(listing: Listing) -> InstrumentedAttribute[int]:
    return PublishedItem.column_seq if listing.kind == "column" else PublishedItem.unit_seq


def _member(listing: Listing) -> sa.ColumnElement[bool]:
    if listing.kind == "column":
        return PublishedItem.column == listing.key
    return PublishedItem.unit_slug == listing.key


def newest(session: Session, listing: Listing, limit: int) -> Sequence[PublishedItem]:
    seq = _seq(listing)
    return session.scalars(_on_site().where(_member(listing)).order_by(seq.desc())
                           .limit(limit)).all()


def in_range(session: Session, listing: Listing, first: int, last: int | None
             ) -> Sequence[PublishedItem]:
    """The listing's items numbered ``first`` to ``last`` (or to the end), newest first."""
    seq = _seq(listing)
    query = _on_site().where(_member(listing), seq >= first)
    if last is not None:
        query = query.where(seq <= last)
    return session.scalars(query.order_by(seq.desc())).all()


def last_seq(session: Session, listing: Listing) -> int:
    """The highest number given in the listing, retracted items included (numbers are never
    given twice)."""
    value = session.scalar(sa.select(sa.func.max(_seq(listing))).where(_member(listing)))
    return int(value or 0)


NUMBERED = "baosong.publisher.numbered"  # the numbers a transaction has given, by listing


def next_seqs(session: Session, column: str, unit: str) -> tuple[int, int]:
    """The numbers a newly published item of ``column`` and ``unit`` takes (the caller holds
    the site lock). Read once a transaction for each listing, then counted on from memory: a
    batch of items numbers them without a query each."""
    given: dict[tuple[str, str], int] = session.info.setdefault(NUMBERED, {})
    if ("column", column) not in given:
        given["column", column] = int(session.scalar(
            sa.select(sa.func.max(PublishedItem.column_seq))
            .where(PublishedItem.column == column)) or 0)
    if ("unit", unit) not in given:
        given["unit", unit] = int(session.scalar(
            sa.select(sa.func.max(PublishedItem.unit_seq))
            .where(PublishedItem.unit_slug == unit)) or 0)
    given["column", column] += 1
    given["unit", unit] += 1
    return given["column", column], given["unit", unit]


def neighbours(session: Session, item: PublishedItem
               ) -> tuple[PublishedItem | None, PublishedItem | None]:
    """The items just older and just newer than ``item`` in its column, on the site now."""
    same_column = _on_site().where(PublishedItem.column == item.column,
                                   PublishedItem.submission_id != item.submission_id)
    older = session.scalars(same_column.where(PublishedItem.column_seq < item.column_seq)
                            .order_by(PublishedItem.column_seq.desc()).limit(1)).first()
    newer = session.scalars(same_column.where(PublishedItem.column_seq > item.column_seq)
                            .order_by(PublishedItem.column_seq.asc()).limit(1)).first()
    return older, newer


def latest(session: Session, limit: int, *, with_photos: bool = False
           ) -> Sequence[PublishedItem]:
    query = _on_site()
    if with_photos:
        query = query.where(PublishedItem.photo_count > 0)
    return session.scalars(query.order_by(PublishedItem.published_at.desc(),
                                          PublishedItem.submission_id.desc()).limit(limit)).all()


def lead(session: Session) -> PublishedItem | None:
    # by the lead's own (partial, unique) index; only a published item can be the lead
    item = session.scalars(sa.select(PublishedItem).where(PublishedItem.lead)).first()
    return item if item is not None and item.state == ItemState.PUBLISHED else None


def sitemap_block(session: Session, block: int) -> Sequence[tuple[int, dt.datetime]]:
    """The published items of one block of ids. The range alone goes to the database, so that
    it reads the block by the primary key (a condition on the state would tempt it to the state
    index, which covers the whole site)."""
    first = block * SITEMAP_BLOCK
    rows = session.execute(
        sa.select(PublishedItem.submission_id, PublishedItem.state, PublishedItem.updated_at)
        .where(PublishedItem.submission_id >= first,
               PublishedItem.submission_id < first + SITEMAP_BLOCK)
        .order_by(PublishedItem.submission_id)).all()
    return [(i, updated) for i, state, updated in rows if state == ItemState.PUBLISHED]


def units_with_pages(session: Session) -> Sequence[Unit]:
    """Units that ever had an item on the site: each has a page (kept, even if emptied)."""
    ever = sa.select(PublishedItem.submission_id).where(PublishedItem.unit_slug == Unit.slug)
    return session.scalars(sa.select(Unit).where(ever.exists()).order_by(Unit.slug)).all()
