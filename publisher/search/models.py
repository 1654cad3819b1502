from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class SearchEntry(Base):
    """One published page that search can find: an article or a document."""

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(sa.String(40), unique=True)  # article:12, document:3
    title: Mapped[str] = mapped_column(sa.String(500))
    key: Mapped[str] = mapped_column(sa.String(300))  # the page below the site root
    unit: Mapped[str] = mapped_column(sa.String(200), default="")
    column: Mapped[str] = mapped_column(sa.String(40), default="")
    number: Mapped[str] = mapped_column(sa.String(100), default="")
    repealed: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_search_entries_published_at", "published_at"),)


class SearchTerm(Base):
    """The inverted index: which entries hold each term. The entry's date is repeated here so
    that a term's entries are read newest first straight from the index, stopping at a page's
    worth, however many items hold the term."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("search_entries.id", ondelete="CASCADE"),
                                          primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_search_terms_entry_id", "entry_id"),
                      sa.Index("ix_search_terms_term_published", "term", "published_at",
                               "entry_id"))
