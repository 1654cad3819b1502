from __future__ import annotations

from moderation import handlers, pages, review_api, routes, surveys
from moderation.documents import routes as document_routes
from moderation.documents import screening as document_screening
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
        subscriptions=[handlers.subscription(ctx, lexicon),
                       document_screening.subscription(ctx, lexicon),
                       surveys.subscription(lexicon), letter_consumer],
        # the documents' routes first: /api/moderation/documents is no submission id
        routers=[document_routes.router, routes.router, review_api.router,
                 routes.lexicon_router(lexicon), pages.router,
                 letters_api.build_router(letter_desk), letter_pages.router],
        jobs=[letter_clock],
        landing={**pages.LANDING, **letter_pages.LANDING},
        nav=[pages.QUEUE, letter_pages.DESK],
    )
