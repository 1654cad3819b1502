"""The mailbox's part of the moderation component: its desk, consumer and clock (the routes
are built over the same desk by the component)."""

from __future__ import annotations

from moderation.letters import deadlines, handlers
from moderation.letters.calendar import WorkCalendar, read_overrides
from moderation.letters.desk import Desk
from moderation.lexicon import Lexicon
from services.component import Job
from services.context import Context
from services.inbox import Subscription


def desk(ctx: Context) -> Desk:
    return Desk(ctx, WorkCalendar(read_overrides(ctx.settings.letter_calendar_overrides)))


def parts(ctx: Context, lexicon: Lexicon) -> tuple[Desk, Subscription, Job]:
    d = desk(ctx)
    return (d, handlers.subscription(d, lexicon),
            Job("moderation.letter-deadlines", ctx.settings.letter_check_seconds,
                lambda _ctx: deadlines.check(d)))
