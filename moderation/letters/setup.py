"""The mailbox's part of the moderation component: consumer, API, desk page and clock."""

from __future__ import annotations

from fastapi import APIRouter

from moderation.letters import deadlines, handlers, letters_api, pages
from moderation.letters.calendar import WorkCalendar, read_overrides
from moderation.letters.desk import Desk
from moderation.lexicon import Lexicon
from services.component import Job
from services.context import Context
from services.inbox import Subscription


def desk(ctx: Context) -> Desk:
    return Desk(ctx, WorkCalendar(read_overrides(ctx.settings.letter_calendar_overrides)))


def parts(ctx: Context, lexicon: Lexicon) -> tuple[Subscription, list[APIRouter], Job]:
    d = desk(ctx)
    return (handlers.subscription(d, lexicon), [letters_api.build_router(d), pages.router],
            Job("moderation.letter-deadlines", ctx.settings.letter_check_seconds,
                lambda _ctx: deadlines.check(d)))
