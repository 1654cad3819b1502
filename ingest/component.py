from __future__ import annotations

from ingest import originals, pages, routes, sweeper, topics, tracker
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription(), topics.subscription()],
                     routers=[routes.router, originals.router, pages.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep)],
                     landing=pages.LANDING, nav=[pages.DESK])
