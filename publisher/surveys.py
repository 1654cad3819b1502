"""The portal's result page of a survey or evaluation (结果反馈), written when an admin
publishes the results: counts and percentages, means, each rated unit's score, and only the
texts screening found clean. A second publication replaces it; an older one that arrives
after it does not."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher import addresses
from publisher.models import PublishedSurvey
from publisher.pages import Rendering
from publisher.site import Site
from services.clock import office_day
from services.contracts.surveys import ResultsPublished
from services.events import Event
from services.inbox import Subscription


def subscription(site: Site) -> Subscription:
    def publish(session: Session, event: Event) -> None:
        payload = ResultsPublished.of(event)
        site.lock(session)  # first: another publisher process cannot slip in between
        kept = session.get(PublishedSurvey, payload.survey)
        if kept is not None and payload.published <= kept.published_at:
            return  # an older publication arriving late: the page shows a newer one
        if kept is None:
            session.add(PublishedSurvey(survey_id=payload.survey, published_at=payload.published))
        else:
            kept.published_at = payload.published
        done = site.ensure_skeleton(session, Rendering())
        page = site.pages.renderer.survey_results(
            addresses.survey_results(payload.survey), payload.model_dump(mode="json"),
            office_day(payload.published, site.ctx.settings.timezone))
        site.pages.put(addresses.survey_results(payload.survey), page, done)

    return Subscription(consumer="publisher-surveys",
                        handlers={ResultsPublished.TYPE: publish})
