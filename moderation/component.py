from __future__ import annotations

from moderation import handlers, pages, review_api, routes
from moderation.letters import letters_api
from moderation.letters import pages as letter_pages
from moderation.letters import setup as letters
from moderation.lexicon import Lexicon
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    lexicon = Lexicon(ctx.db, ctx.settings.lexicon_path,
                      max_findings=ctx.settings.max_findings_per_field)
    letter_desk, letter_consumer, letter_clock = letters.parts(ctx, lexicon)
    return Component(
        name="moderation",
        subscriptions=[handlers.subscription(ctx, lexicon), letter_consumer],
        routers=[routes.router, review_api.router, routes.lexicon_router(lexicon), pages.router,
                 letters_api.build_router(letter_desk), letter_pages.router],
        jobs=[letter_clock],
        landing={**pages.LANDING, **letter_pages.LANDING},
        nav=[pages.QUEUE, letter_pages.DESK],
    )
