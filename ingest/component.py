from __future__ import annotations

from ingest import originals, pages, routes, sweeper, topics, tracker
from ingest.documents import admin_pages, meeting_pages
from ingest.documents import routes as document_routes
from ingest.documents import tracker as document_tracker
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription(), topics.subscription(),
                                                   document_tracker.subscription()],
                     # the meetings page before the desk's /desk/{asset}
                     routers=[routes.router, originals.router, meeting_pages.router,
                              pages.router, document_routes.router, admin_pages.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep)],
                     landing=pages.LANDING, nav=[pages.DESK, admin_pages.DOCUMENTS])
