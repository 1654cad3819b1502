"""The audit log: every decision, claim and retraction, who made it, when and why.

Rows are only ever inserted; no route updates or deletes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, UTCDateTime, utcnow
from services.identity import Principal


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(nullable=True)
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.String(100), index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


def record(session: Session, actor: Principal, action: str, subject: str, reason: str = "",
           **details: Any) -> None:
    session.add(AuditEntry(actor_id=actor.id, actor_name=actor.name, actor_role=actor.role.value,
                           action=action, subject=subject, reason=reason or "", details=details))


def to_public(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_id,
            "actor_name": entry.actor_name, "role": entry.actor_role, "action": entry.action,
            "subject": entry.subject, "reason": entry.reason, "details": entry.details}
