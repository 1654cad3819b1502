from __future__ import annotations

import asyncio
import logging

from publisher import handlers, routes, serving
from publisher.site import Site
from services.component import Component
from services.context import Context

log = logging.getLogger(__name__)


def build(ctx: Context) -> Component:
    site = Site(ctx)

    def write_skeleton() -> None:
        with ctx.db.transaction() as session:
            site.lock(session)
            site.ensure_skeleton(session)

    async def skeleton_on_start() -> None:
        """A fresh site has a home page before anything is published."""
        try:
            await asyncio.to_thread(write_skeleton)
        except Exception:  # the first publication writes it too: serving goes on meanwhile
            log.exception("could not write the site's fixed pages at start")

    return Component(name="publisher", subscriptions=[handlers.subscription(ctx, site)],
                     routers=[routes.router, serving.router], startup=[skeleton_on_start],
                     nav=[serving.PORTAL])
