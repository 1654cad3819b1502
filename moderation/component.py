from __future__ import annotations

from moderation import handlers, pages, review_api, routes
from moderation.letters import setup as letters
from moderation.lexicon import Lexicon
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    lexicon = Lexicon(ctx.db, ctx.settings.lexicon_path,
                      max_findings=ctx.settings.max_findings_per_field)
    letter_consumer, letter_routers, letter_clock = letters.parts(ctx, lexicon)
    return Component(
        name="moderation",
        subscriptions=[handlers.subscription(ctx, lexicon), letter_consumer],
        routers=[routes.router, review_api.router, routes.lexicon_router(lexicon), pages.router,
                 *letter_routers],
        jobs=[letter_clock],
    )
