from __future__ import annotations

from ingest import originals, pages, routes, sweeper, topics, tracker
from ingest.letters import pages as letter_pages
from ingest.letters import routes as letter_routes
from ingest.letters import tracker as letter_tracker
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest",
                     subscriptions=[tracker.subscription(), topics.subscription(),
                                    letter_tracker.subscription()],
                     routers=[routes.router, originals.router, pages.router,
                              letter_routes.router, letter_pages.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep)],
                     landing=pages.LANDING, nav=[pages.DESK])
