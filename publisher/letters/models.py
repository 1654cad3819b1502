"""The letters on the portal: what each page shows (already cleared of personal data)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class LetterPage(Base):
    __tablename__ = "letter_pages"

    letter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(sa.String(16))
    type: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    reply: Mapped[str] = mapped_column(sa.Text)
    unit_name: Mapped[str] = mapped_column(sa.String(100))
    enterprise: Mapped[str] = mapped_column(sa.String(100), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    replied_on: Mapped[dt.date] = mapped_column(sa.Date)
    live: Mapped[bool] = mapped_column(default=True)
    # the newest answer and retraction (the events' times): the page is live while the answer
    # is the newer, whichever of the two events arrived first
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
