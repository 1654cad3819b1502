"""Publishing approved items, taking retracted ones down, and moving the lead item."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from publisher.models import PublishedItem
from publisher.render import article_path
from publisher.site import Site
from services import outbox
from services.context import Context
from services.db import utcnow
from services.events import Event, EventType
from services.inbox import Handler, Prepared, Subscription

IDENTITY_FIELDS = ("submission", "kind", "unit", "unit_kind", "informant", "topic",
                   "revision_of", "content_hash")


def identity(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in IDENTITY_FIELDS}


class Publishing:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site

    def public_url(self, submission_id: int) -> str:
        return f"{self.ctx.settings.base_url}/site/{article_path(submission_id)}"

    def prepare_publish(self, event: Event) -> Handler:
        data = event.data
        photos = self.site.write_photos(data["submission"], data.get("photos", []))

        def publish(session: Session, event: Event) -> None:
            item = session.get(PublishedItem, data["submission"])
            if item is not None and item.state == "published":
                return
            now = utcnow()
            if item is None:
                item = PublishedItem(submission_id=data["submission"], published_at=now)
                session.add(item)
            item.state, item.kind, item.column = "published", data["kind"], data["column"]
            item.title, item.body, item.photos = data["title"], data.get("body", ""), photos
            item.unit_slug, item.informant_id = data["unit"], data["informant"]
            item.informant_name = data.get("informant_name", "")
            item.identity = identity(data)
            item.url = self.public_url(item.submission_id)
            item.updated_at = now
            session.flush()
            self.site.write_article(session, item)
            self.site.render_indexes(session, [item.column])
            outbox.emit(session, Event(
                type=EventType.PUBLISHED, subject=event.subject,
                data={**item.identity, "column": item.column, "url": item.url,
                      "published_at": item.published_at.isoformat(), "lead": item.lead}))

        return publish

    def take_down(self, session: Session, event: Event) -> None:
        item = session.get(PublishedItem, event.data["submission"])
        if item is None or item.state != "retracted":
            return
        self.site.remove_article(item)
        self.site.render_indexes(session, [item.column])

    def show_lead(self, session: Session, event: Event) -> None:
        self.site.render_indexes(session, [])


def subscription(ctx: Context, site: Site) -> Subscription:
    publishing = Publishing(ctx, site)
    return Subscription(consumer="publisher", runner="celery", handlers={
        EventType.APPROVED: Prepared(publishing.prepare_publish),
        EventType.RETRACTED: publishing.take_down,
        EventType.LEAD: publishing.show_lead,
    })
