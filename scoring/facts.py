"""Keeping the facts scoring learns, once each, in the order it learns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring import engine
from scoring.models import Fact


def record(session: Session, fact_id: str, fact_type: str, at: dt.datetime,
           data: dict[str, Any]) -> engine.Fact:
    """Keep a fact. Its id is unique: callers record each fact once (the consumer's inbox, or
    an ``exists`` check for the facts scoring makes itself), and a second try fails loudly."""
    fact = engine.Fact(id=fact_id, type=fact_type, at=at, data=data)
    session.add(Fact(id=fact_id, type=fact_type, submission_id=fact.submission,
                     unit_slug=data.get("unit"), occurred_at=at, data=data))
    return fact


def exists(session: Session, fact_id: str) -> bool:
    return session.scalar(sa.select(Fact.seq).where(Fact.id == fact_id)) is not None


def every_fact(session: Session, batch: int = 2000) -> Iterator[engine.Fact]:
    """All facts in the order they were learnt, read in batches."""
    after = 0
    while True:
        rows = session.scalars(sa.select(Fact).where(Fact.seq > after).order_by(Fact.seq)
                               .limit(batch)).all()
        for row in rows:
            yield engine.Fact(id=row.id, type=row.type, at=row.occurred_at, data=row.data)
        if len(rows) < batch:
            return
        after = rows[-1].seq
