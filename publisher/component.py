from __future__ import annotations

from publisher import handlers, routes
from publisher.site import Site
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    site = Site(ctx)
    return Component(name="publisher", subscriptions=[handlers.subscription(ctx, site)],
                     routers=[routes.router])
