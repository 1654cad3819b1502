from __future__ import annotations

from ingest import routes, topics, tracker
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription(), topics.subscription()],
                     routers=[routes.router])
