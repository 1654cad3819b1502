"""The publisher's consumer: approved items go on the site, retracted ones come off, reinstated
ones come back to the same address, and the home page follows the lead item.

Each handler first takes the site lock and then looks at the item's state, so the outcome does
not depend on the order events arrive in: a retraction that arrives after the reinstatement
that followed it finds the item published again and leaves it be.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from publisher import addresses, queries
from publisher.models import ItemState, PublishedItem
from publisher.site import Site
from services import outbox
from services.context import Context
from services.db import utcnow
from services.events import Event, EventType
from services.inbox import Handler, Prepared, Subscription

log = logging.getLogger(__name__)

IDENTITY_FIELDS = ("submission", "kind", "unit", "unit_kind", "informant", "topic",
                   "revision_of", "content_hash")


def identity(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in IDENTITY_FIELDS}


def photo_tag(event: Event) -> str:
    """Names this publication's photos: the same for a redelivery of the event, different
    for the next publication of the item."""
    return event.id.replace("-", "")[:10]


class Publishing:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site

    def public_url(self, submission_id: int) -> str:
        return self.ctx.settings.portal_url + addresses.article(submission_id)

    def _published(self, session: Session, item: PublishedItem, cause: Event,
                   republished: bool) -> None:
        outbox.emit(session, Event(
            type=EventType.PUBLISHED, subject=cause.subject,
            data={**item.identity, "column": item.column, "url": item.url,
                  "published_at": item.published_at.isoformat(), "lead": item.lead,
                  "photo_count": item.photo_count, "republished": republished}))

    def prepare_publish(self, event: Event) -> Handler:
        data = event.data
        photos = self.site.write_photos(data["submission"], photo_tag(event),
                                        data.get("photos", []))

        def publish(session: Session, event: Event) -> None:
            self.site.lock(session)
            existing = session.get(PublishedItem, data["submission"])
            if existing is not None:
                log.warning("submission %s approved again; it is already on record",
                            data["submission"])
                self.site.remove_photos(photos, keep=existing.photos)
                return
            column_seq, unit_seq = queries.next_seqs(session, data["column"], data["unit"])
            now = utcnow()
            item = PublishedItem(
                submission_id=data["submission"], state=ItemState.PUBLISHED, kind=data["kind"],
                column=data["column"], title=data["title"], body=data.get("body") or "",
                unit_slug=data["unit"], informant_id=data["informant"],
                informant_name=data.get("informant_name") or "", photos=photos,
                photo_count=len(photos), identity=identity(data),
                url=self.public_url(data["submission"]), lead=False, column_seq=column_seq,
                unit_seq=unit_seq, published_at=now, updated_at=now)
            session.add(item)
            session.flush()
            self.site.publish(session, item, new=True)
            self._published(session, item, event, republished=False)

        return publish

    def prepare_reinstate(self, event: Event) -> Handler:
        data = event.data
        photos = self.site.write_photos(data["submission"], photo_tag(event),
                                        data.get("photos", []))

        def reinstate(session: Session, event: Event) -> None:
            self.site.lock(session)
            item = session.get(PublishedItem, data["submission"])
            if item is None or item.state != ItemState.REINSTATING:
                self.site.remove_photos(photos, keep=item.photos if item else ())
                return
            replaced = list(item.photos)
            item.title, item.body = data["title"], data.get("body") or ""
            item.photos, item.photo_count = photos, len(photos)
            item.state, item.updated_at = ItemState.PUBLISHED, utcnow()
            session.flush()
            self.site.publish(session, item, new=False, replaced_photos=replaced)
            self._published(session, item, event, republished=True)

        return reinstate

    def take_down(self, session: Session, event: Event) -> None:
        self.site.lock(session)
        item = session.get(PublishedItem, event.data["submission"])
        if item is None or item.state == ItemState.PUBLISHED:
            return  # never published, or reinstated since: the site is as it should be
        self.site.take_down(session, item)

    def show_lead(self, session: Session, event: Event) -> None:
        self.site.lock(session)
        self.site.show_lead(session)


def subscription(ctx: Context, site: Site) -> Subscription:
    publishing = Publishing(ctx, site)
    return Subscription(consumer="publisher", handlers={
        EventType.APPROVED: Prepared(publishing.prepare_publish),
        EventType.REINSTATED: Prepared(publishing.prepare_reinstate),
        EventType.RETRACTED: publishing.take_down,
        EventType.LEAD: publishing.show_lead,
    })
