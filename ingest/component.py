from __future__ import annotations

from ingest import routes, sweeper, tracker
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription()],
                     routers=[routes.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep)])
