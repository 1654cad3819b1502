from __future__ import annotations

from ingest import originals, pages, routes, tracker
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription()],
                     routers=[routes.router, originals.router, pages.router])
