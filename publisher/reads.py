"""How often each published item is read: a first-party count kept as the portal serves the
item's page (the pages carry no script, so there is no beacon to fire).

Privacy: no cookie is set and no address is stored. A read is recognised as a repeat by a
mark, a keyed hash of (client address, item, time window) that cannot be turned back into the
address without the server's secret, and marks are dropped once their window has passed. Only
the count per item per day is kept, and scoring is told the day's total (``item.read``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from publisher.models import ItemState, PublishedItem
from services import outbox
from services.clock import utcnow
from services.context import Context
from services.contracts.enterprises import ItemRead
from services.db import Base

ARTICLE = re.compile(r"^articles/(\d{1,12})\.html$")


class ItemReadDay(Base):
    """Reads of one item on one day (the commission's day)."""

    __tablename__ = "item_read_days"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    reads: Mapped[int] = mapped_column(default=0)


class ReadMark(Base):
    """One client has read one item in one window: its key is a keyed hash, no address."""

    __tablename__ = "read_marks"

    mark: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window: Mapped[int] = mapped_column(sa.BigInteger, index=True)


def item_of(key: str) -> int | None:
    """The submission whose page ``key`` is, or None for any other object."""
    match = ARTICLE.match(key)
    return int(match.group(1)) if match else None


def _mark(secret: str, client: str, item: int, window: int) -> str:
    return hmac.new(secret.encode(), f"{client}|{item}|{window}".encode(),
                    hashlib.sha256).hexdigest()


def count_read(ctx: Context, item: int, client: str, now: dt.datetime | None = None) -> bool:
    """Count one read of ``item`` by ``client``; False (nothing counted) for a repeat within
    the window or an item that is not on the site."""
    s = ctx.settings
    now = now or utcnow()
    window = int(now.timestamp()) // s.read_window_seconds
    day = now.astimezone(ZoneInfo(s.timezone)).date()
    with ctx.db.transaction() as session:
        published = session.get(PublishedItem, item)
        if published is None or published.state != ItemState.PUBLISHED:
            return False
        session.execute(sa.delete(ReadMark).where(ReadMark.window < window))
        try:
            with session.begin_nested():
                session.add(ReadMark(mark=_mark(s.secret, client, item, window), window=window))
        except IntegrityError:  # this client read it in this window already
            return False
        reads = _add_read(session, item, day)
        outbox.emit(session, ItemRead(item=item, unit=published.unit_slug,
                                      column=published.column, day=day, reads=reads)
                    .event(str(item)))
    return True


def _add_read(session: Session, item: int, day: dt.date) -> int:
    row = session.get(ItemReadDay, (item, day), with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = ItemReadDay(submission_id=item, day=day, reads=0)
                session.add(row)
        except IntegrityError:  # another read of the day made the row first
            row = session.get(ItemReadDay, (item, day), with_for_update=True,
                              populate_existing=True)
            assert row is not None
    row.reads += 1
    session.flush()
    return row.reads
