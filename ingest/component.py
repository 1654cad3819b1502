from __future__ import annotations

from ingest import originals, pages, routes, sweeper, topics, tracker
from ingest.surveys import jobs as survey_jobs
from ingest.surveys import pages as survey_pages
from ingest.surveys import routes as survey_routes
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription(), topics.subscription()],
                     routers=[routes.router, originals.router, pages.router,
                              survey_routes.router, survey_pages.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep),
                           Job("close-ended-surveys", 60, survey_jobs.close_ended)],
                     landing=pages.LANDING, nav=[pages.DESK, survey_pages.SURVEYS])
