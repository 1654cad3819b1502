from __future__ import annotations

import asyncio
import logging

from publisher import govsite, handlers, routes, serving, surveys
from publisher.documents import publishing as documents
from publisher.features import routes as feature_routes
from publisher.letters import handlers as letter_handlers
from publisher.links import checker as link_checker
from publisher.links import pages as link_pages
from publisher.links import routes as link_routes
from publisher.search import articles as search_articles
from publisher.search import routes as search_routes
from services.component import Component, Job
from services.context import Context

log = logging.getLogger(__name__)


def build(ctx: Context) -> Component:
    site = govsite.portal(ctx)
    letters = letter_handlers.LetterPublishing(ctx)

    def write_skeleton() -> None:
        with ctx.db.transaction() as session:
            site.lock(session)
            site.ensure_skeleton(session)
        letters.ensure_index()

    async def skeleton_on_start() -> None:
        """A fresh site has a home page before anything is published."""
        try:
            await asyncio.to_thread(write_skeleton)
        except Exception:  # the first publication writes it too: serving goes on meanwhile
            log.exception("could not write the site's fixed pages at start")

    return Component(
        name="publisher",
        subscriptions=[handlers.subscription(ctx, site), documents.subscription(ctx, site),
                       search_articles.subscription(ctx.db, ctx.columns),
                       surveys.subscription(site), letter_handlers.subscription(letters)],
        routers=[routes.router, search_routes.build_router(ctx, site.pages),
                 feature_routes.build_router(site), link_routes.router, link_pages.router,
                 serving.router],
        jobs=[Job("publisher.check-links", ctx.settings.link_check_seconds,
                  link_checker.check_all)],
        startup=[skeleton_on_start], nav=[serving.PORTAL, link_pages.LINKS])
