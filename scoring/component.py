from __future__ import annotations

from scoring import handlers, routes
from scoring.rules import load_rules
from scoring.stream import ScoreBroadcaster
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    rules = load_rules(ctx.settings.rules_path)
    broadcaster = ScoreBroadcaster(ctx.db, queue_size=ctx.settings.sse_client_queue)
    return Component(
        name="scoring",
        subscriptions=[handlers.subscription(ctx, rules)],
        routers=[routes.build_router(rules, broadcaster)],
        startup=[broadcaster.start],
        shutdown=[broadcaster.stop],
    )
