"""The last check of each unit's website: what the admin sees; the link itself stays on the unit."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime


class LinkStatus:
    ALIVE = "alive"
    DEAD = "dead"


class LinkCheck(Base):
    __tablename__ = "link_checks"

    unit_slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(8))
    detail: Mapped[str] = mapped_column(sa.String(200), default="")  # "HTTP 404", "连接失败"
    failures: Mapped[int] = mapped_column(default=0)  # in a row; 0 once the site answers again
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # the first failed check of the failures in a row; None while the site answers
    dead_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
