"""Scoring's work on a clock: penalising missed 约稿 deadlines and closing ended months.

Both are idempotent (each booking has a fixed id), so a run repeated by a restart, or by two
schedulers, books nothing twice. Embedded, they run in a thread; distributed, Celery beat sends
them (``baosong beat``).
"""

from __future__ import annotations

import datetime as dt
import logging

from scoring.closing import close_month, due_months
from scoring.commissions import check_deadlines
from scoring.rules import Rules
from services.component import Job
from services.context import Context
from services.db import utcnow

log = logging.getLogger(__name__)


def penalise_missed_deadlines(ctx: Context, rules: Rules,
                              now: dt.datetime | None = None) -> list[tuple[str, str]]:
    with ctx.db.transaction() as session:
        penalised = check_deadlines(session, rules, ctx.settings.timezone, now)
    for topic, unit in penalised:
        log.info("约稿 %s: %s missed the deadline", topic, unit)
    return penalised


def close_ended_months(ctx: Context, rules: Rules, now: dt.datetime | None = None) -> list[str]:
    s = ctx.settings
    after = dt.timedelta(hours=s.month_close_after_hours)
    with ctx.db.session() as session:
        due = due_months(session, s.timezone, now or utcnow(), after)
    for month in due:
        with ctx.db.transaction() as session:
            booked = close_month(session, month, rules, s.timezone)
        log.info("closed %s: %d quota lines booked", month, len(booked))
    return due


def jobs(ctx: Context, rules: Rules) -> list[Job]:
    s = ctx.settings
    return [
        Job("scoring.commission-deadlines", s.commission_check_seconds,
            lambda c: penalise_missed_deadlines(c, rules)),
        Job("scoring.close-months", s.month_close_check_seconds,
            lambda c: close_ended_months(c, rules)),
    ]
