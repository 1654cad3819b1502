from __future__ import annotations

from scoring import awards_api, handlers, jobs, routes, rulesets, topics_api
from scoring.letters import facts as letter_facts
from scoring.letters import stats_api as letter_stats
from scoring.review import enterprise_facts
from scoring.rules import load_rules
from scoring.stream import ScoreBroadcaster
from scoring.surveys import keeping as survey_keeping
from scoring.surveys import routes as survey_routes
from services.component import Component
from services.context import Context


def build(ctx: Context) -> Component:
    s = ctx.settings
    rules = load_rules(s.rules_path)
    rulesets.register(ctx.db, rules)
    broadcaster = ScoreBroadcaster(ctx.db, queue_size=s.sse_client_queue,
                                   poll_seconds=s.sse_poll_seconds)
    return Component(
        name="scoring",
        subscriptions=[handlers.subscription(ctx, rules), survey_keeping.subscription(s, rules),
                       letter_facts.subscription(s.timezone, rules),
                       enterprise_facts.subscription()],
        routers=[routes.build_router(rules, broadcaster), awards_api.build_router(rules),
                 topics_api.build_router(), survey_routes.build_router(), letter_stats.router],
        jobs=jobs.jobs(ctx, rules),
        startup=[broadcaster.start],
        shutdown=[broadcaster.stop],
        nav=[routes.DASHBOARD],
    )
