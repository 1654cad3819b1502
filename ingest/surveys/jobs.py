"""Closing the surveys whose closing time has passed (so that ``survey.closed`` goes out)."""

from __future__ import annotations

from ingest.surveys import design
from services.clock import utcnow
from services.context import Context


def close_ended(ctx: Context) -> list[int]:
    with ctx.db.transaction() as session:
        return design.close_ended(session, utcnow())
