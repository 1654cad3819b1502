"""The publisher's consumer: approved items go on the site, retracted ones come off, reinstated
ones come back to the same address, and the home page follows the lead item.

Each handler first takes the site lock and then looks at the item's state, so the outcome does
not depend on the order events arrive in: a retraction that arrives after the reinstatement
that followed it finds the item published again and leaves it be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from publisher import addresses, queries
from publisher.models import ItemState, PublishedItem
from publisher.site import Site
from services import outbox
from services.context import Context
from services.contracts.submissions import (
    Approved,
    Lead,
    Published,
    Reinstated,
    Retracted,
    SubmissionId,
    SubmissionIdentity,
)
from services.db import utcnow
from services.events import Event
from services.inbox import Handler, Prepared, Subscription

log = logging.getLogger(__name__)

Photos = list[dict[str, Any]]  # what the pages need of each photo written (see Site.write_photos)
ToPublish = TypeVar("ToPublish", Approved, Reinstated)
# puts the item on the site and says so, or returns False to leave the site as it is
Placing = Callable[[Session, Event, ToPublish, PublishedItem | None, Photos], bool]


def photo_tag(event: Event) -> str:
    """Names this publication's photos: the same for a redelivery of the event, different
    for the next publication of the item."""
    return event.id.replace("-", "")[:10]


class Publishing:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site

    def public_url(self, submission_id: SubmissionId) -> str:
        return self.ctx.settings.portal_url + addresses.article(submission_id)

    def _published(self, session: Session, item: PublishedItem, cause: Event,
                   republished: bool) -> None:
        outbox.emit(session, Published.about(
            SubmissionIdentity.from_data(item.identity), column=item.column, url=item.url,
            published_at=item.published_at, lead=item.lead, photo_count=item.photo_count,
            republished=republished).event(cause.subject))

    def _prepared(self, event: Event, payload: ToPublish, place: Placing[ToPublish]) -> Handler:
        """What publishing and republishing share: the photos are written before the
        transaction (slow, and idempotent by their tag); in it, the site lock is taken and the
        item looked at, and if ``place`` leaves the site as it is, the photos written for
        nothing are taken back (the item's own kept)."""
        photos = self.site.write_photos(payload.submission, photo_tag(event), payload.photos)

        def handle(session: Session, event: Event) -> None:
            self.site.lock(session)
            item = session.get(PublishedItem, payload.submission)
            if not place(session, event, payload, item, photos):
                self.site.remove_photos(photos, keep=item.photos if item else ())

        return handle

    def prepare_publish(self, event: Event) -> Handler:
        return self._prepared(event, Approved.of(event), self._publish)

    def prepare_reinstate(self, event: Event) -> Handler:
        return self._prepared(event, Reinstated.of(event), self._reinstate)

    def _publish(self, session: Session, event: Event, approved: Approved,
                 existing: PublishedItem | None, photos: Photos) -> bool:
        if existing is not None:
            log.warning("submission %s approved again; it is already on record",
                        approved.submission)
            return False
        column_seq, unit_seq = queries.next_seqs(session, approved.column, approved.unit)
        now = utcnow()
        item = PublishedItem(
            submission_id=approved.submission, state=ItemState.PUBLISHED, kind=approved.kind,
            column=approved.column, title=approved.title, body=approved.body,
            unit_slug=approved.unit, informant_id=approved.informant,
            informant_name=approved.informant_name, photos=photos, photo_count=len(photos),
            identity=approved.identity().to_data(), url=self.public_url(approved.submission),
            lead=False, column_seq=column_seq, unit_seq=unit_seq, published_at=now,
            updated_at=now)
        session.add(item)
        session.flush()
        self.site.publish(session, item, new=True)
        self._published(session, item, event, republished=False)
        return True

    def _reinstate(self, session: Session, event: Event, reinstated: Reinstated,
                   item: PublishedItem | None, photos: Photos) -> bool:
        if item is None or item.state != ItemState.REINSTATING:
            return False
        replaced = list(item.photos)
        item.title, item.body = reinstated.title, reinstated.body
        item.photos, item.photo_count = photos, len(photos)
        item.state, item.updated_at = ItemState.PUBLISHED, utcnow()
        session.flush()
        self.site.publish(session, item, new=False, replaced_photos=replaced)
        self._published(session, item, event, republished=True)
        return True

    def take_down(self, session: Session, event: Event) -> None:
        retracted = Retracted.of(event)
        self.site.lock(session)
        item = session.get(PublishedItem, retracted.submission)
        if item is None or item.state == ItemState.PUBLISHED:
            return  # never published, or reinstated since: the site is as it should be
        self.site.take_down(session, item)

    def show_lead(self, session: Session, event: Event) -> None:
        Lead.of(event)  # the home page follows whichever item leads now
        self.site.lock(session)
        self.site.show_lead(session)


def subscription(ctx: Context, site: Site) -> Subscription:
    """Approvals come in batches: the photos of a batch are derived side by side before its
    transaction, and its pages written once at the end of it (``Site.flush``)."""
    publishing = Publishing(ctx, site)
    return Subscription(consumer="publisher", handlers={
        Approved.TYPE: Prepared(publishing.prepare_publish),
        Reinstated.TYPE: Prepared(publishing.prepare_reinstate),
        Retracted.TYPE: publishing.take_down,
        Lead.TYPE: publishing.show_lead,
    }, batch=ctx.settings.publish_batch, finish=site.flush,
        prepare_threads=ctx.settings.prepare_threads)
