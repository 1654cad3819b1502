from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UTCDateTime, utcnow


class FeatureEntry(Base):
    """One enterprise of one year's list. Importing the list again replaces every entry."""

    __tablename__ = "feature_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    series: Mapped[str] = mapped_column(sa.String(16))  # the list: top50, contributors
    year: Mapped[int]
    rank: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    unit_slug: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    figures: Mapped[list[list[str]]] = mapped_column(sa.JSON, default=list)  # [label, value]
    citation: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("series", "year", "rank", name="uq_feature_entries_series_year_rank"),
        sa.Index("ix_feature_entries_unit_slug", "unit_slug"),
    )

    def as_row(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "unit": self.unit_slug,
                "figures": self.figures, "citation": self.citation, "website": self.website}
