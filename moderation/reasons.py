"""The reasons a moderator picks from when deciding, kept as editable templates.

Reasons are what the informant reads, so the information centre words them once, well, and
every moderator uses the same words; a moderator may still write one of their own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, UTCDateTime, utcnow

ACTIONS = ("approve", "reject", "return")


class ReasonTemplate(Base):
    __tablename__ = "moderation_reasons"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    updated_by: Mapped[str] = mapped_column(sa.String(100), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_moderation_reasons_action", "action", "position"),)
    # a new installation starts with the templates its migration writes (0006_desk_queue)


def to_public(template: ReasonTemplate) -> dict[str, Any]:
    return {"id": template.id, "action": template.action, "text": template.text,
            "position": template.position, "updated_by": template.updated_by,
            "updated_at": template.updated_at.isoformat()}


def all_templates(session: Session) -> list[ReasonTemplate]:
    return list(session.scalars(sa.select(ReasonTemplate).order_by(
        ReasonTemplate.action, ReasonTemplate.position, ReasonTemplate.id)))


def count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ReasonTemplate)) or 0


def next_position(session: Session, action: str) -> int:
    last = session.scalar(sa.select(sa.func.max(ReasonTemplate.position))
                          .where(ReasonTemplate.action == action))
    return (last or 0) + 1
