"""Articles into the index as they are published, out of it as they are retracted. The
publisher's own record says what is on the site, so the order the events come in does not
matter: a retraction that a reinstatement overtook leaves the article found."""

from __future__ import annotations

import functools

from sqlalchemy.orm import Session

from publisher import addresses
from publisher.models import ItemState, PublishedItem
from publisher.search import index
from publisher.search.models import SearchEntry
from publisher.search.terms import index_terms
from services.columns import Columns
from services.db import Database
from services.events import Event, EventType
from services.identity import Unit
from services.inbox import Handler, Prepared, Subscription


def _ref(submission_id: int) -> str:
    return f"article:{submission_id}"


def _texts(item: PublishedItem) -> tuple[str, ...]:
    return (item.body, *(p.get("caption") or "" for p in item.photos))


def put_item(session: Session, item: PublishedItem, columns: Columns,
             terms: set[str] | None = None) -> None:
    unit = session.get(Unit, item.unit_slug)
    column = columns.name_of(item.column) or item.column
    index.put(session, _ref(item.submission_id), title=item.title,
              key=addresses.article(item.submission_id),
              unit=unit.name if unit else item.unit_slug, column=column,
              published_at=item.published_at, texts=_texts(item), terms=terms)


def reindex(columns: Columns, session: Session, done: object = None) -> None:
    """Every article on the site into the index again (a rebuild; and the items published
    before the index existed), and none that is off the site."""
    import sqlalchemy as sa

    on_site = set()
    for item in session.scalars(sa.select(PublishedItem)
                                .where(PublishedItem.state == ItemState.PUBLISHED)):
        put_item(session, item, columns)
        on_site.add(_ref(item.submission_id))
    for ref in session.scalars(sa.select(SearchEntry.ref).where(SearchEntry.ref.like("article:%"))):
        if ref not in on_site:
            index.remove(session, ref)


def _cut(db: Database, columns: Columns, event: Event) -> Handler:
    """The article's words are cut before the transaction (jieba is the slow part), and used
    in it if the article is still as it was read then."""
    with db.session() as session:
        item = session.get(PublishedItem, event.data["submission"])
        read = None if item is None else (item.updated_at, item.unit_slug)
        unit = session.get(Unit, item.unit_slug) if item is not None else None
        terms = None if item is None else index_terms(
            item.title, "", unit.name if unit else item.unit_slug, *_texts(item))

    def published(session: Session, event: Event) -> None:
        item = session.get(PublishedItem, event.data["submission"])
        if item is not None and item.state == ItemState.PUBLISHED:
            same = read == (item.updated_at, item.unit_slug)
            put_item(session, item, columns, terms if same else None)

    return published


def retracted(session: Session, event: Event) -> None:
    item = session.get(PublishedItem, event.data["submission"])
    if item is None or item.state != ItemState.PUBLISHED:
        index.remove(session, _ref(event.data["submission"]))


def subscription(db: Database, columns: Columns) -> Subscription:
    return Subscription(consumer="publisher-search", handlers={
        EventType.PUBLISHED: Prepared(functools.partial(_cut, db, columns)),
        EventType.RETRACTED: retracted})
