from __future__ import annotations

from moderation import handlers, pages, review_api, routes
from moderation.lexicon import Lexicon
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    lexicon = Lexicon(ctx.db, ctx.settings.lexicon_path,
                      max_findings=ctx.settings.max_findings_per_field)
    return Component(
        name="moderation",
        subscriptions=[handlers.subscription(ctx, lexicon)],
        routers=[routes.router, review_api.router, routes.lexicon_router(lexicon), pages.router],
        landing=pages.LANDING,
        nav=[pages.QUEUE],
    )
