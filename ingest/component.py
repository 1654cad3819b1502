from __future__ import annotations

from ingest import originals, pages, routes, sweeper, topics, tracker
from ingest.documents import admin_pages, meeting_pages
from ingest.documents import routes as document_routes
from ingest.documents import tracker as document_tracker
from ingest.letters import pages as letter_pages
from ingest.letters import routes as letter_routes
from ingest.letters import tracker as letter_tracker
from ingest.surveys import jobs as survey_jobs
from ingest.surveys import pages as survey_pages
from ingest.surveys import routes as survey_routes
from services.component import Component, Job
from services.context import Context


def build(ctx: Context) -> Component:
    return Component(name="ingest", subscriptions=[tracker.subscription(), topics.subscription(),
                                                   document_tracker.subscription(),
                                                   letter_tracker.subscription()],
                     # the meetings page before the desk's /desk/{asset}
                     routers=[routes.router, originals.router, meeting_pages.router,
                              pages.router, document_routes.router, admin_pages.router,
                              survey_routes.router, survey_pages.router,
                              letter_routes.router, letter_pages.router],
                     jobs=[Job("sweep-orphaned-uploads", 3600, sweeper.sweep),
                           Job("close-ended-surveys", 60, survey_jobs.close_ended)],
                     landing=pages.LANDING,
                     nav=[pages.DESK, admin_pages.DOCUMENTS, survey_pages.SURVEYS])
