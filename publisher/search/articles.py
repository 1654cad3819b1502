"""Articles into the index as they are published, out of it as they are retracted. The
publisher's own record says what is on the site, so the order the events come in does not
matter: a retraction that a reinstatement overtook leaves the article found."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher import addresses
from publisher.models import ItemState, PublishedItem
from publisher.search import index
from publisher.search.models import SearchEntry
from services.columns import BY_ID
from services.events import Event, EventType
from services.identity import Unit
from services.inbox import Subscription


def _ref(submission_id: int) -> str:
    return f"article:{submission_id}"


def put_item(session: Session, item: PublishedItem) -> None:
    unit = session.get(Unit, item.unit_slug)
    column = BY_ID[item.column].name if item.column in BY_ID else item.column
    captions = tuple(p.get("caption") or "" for p in item.photos)
    index.put(session, _ref(item.submission_id), title=item.title,
              key=addresses.article(item.submission_id),
              unit=unit.name if unit else item.unit_slug, column=column,
              published_at=item.published_at, texts=(item.body, *captions))


def reindex(session: Session, done: object = None) -> None:
    """Every article on the site into the index again (a rebuild; and the items published
    before the index existed), and none that is off the site."""
    import sqlalchemy as sa

    on_site = set()
    for item in session.scalars(sa.select(PublishedItem)
                                .where(PublishedItem.state == ItemState.PUBLISHED)):
        put_item(session, item)
        on_site.add(_ref(item.submission_id))
    for ref in session.scalars(sa.select(SearchEntry.ref).where(SearchEntry.ref.like("article:%"))):
        if ref not in on_site:
            index.remove(session, ref)


def published(session: Session, event: Event) -> None:
    item = session.get(PublishedItem, event.data["submission"])
    if item is not None and item.state == ItemState.PUBLISHED:
        put_item(session, item)


def retracted(session: Session, event: Event) -> None:
    item = session.get(PublishedItem, event.data["submission"])
    if item is None or item.state != ItemState.PUBLISHED:
        index.remove(session, _ref(event.data["submission"]))


def subscription() -> Subscription:
    return Subscription(consumer="publisher-search", handlers={
        EventType.PUBLISHED: published, EventType.RETRACTED: retracted})
