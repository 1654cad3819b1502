"""Keeping the index in step with the site, and asking it, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from publisher.search.models import SearchEntry, SearchTerm
from publisher.search.terms import index_terms, query_terms

if TYPE_CHECKING:
    from publisher.documents.models import PublishedDocument


@dataclass(frozen=True)
class Hit:
    title: str
    key: str
    unit: str
    column: str
    number: str
    repealed: bool
    published_at: dt.datetime


def put(session: Session, ref: str, *, title: str, key: str, unit: str, column: str,
        published_at: dt.datetime, texts: tuple[str, ...], number: str = "",
        repealed: bool = False, terms: set[str] | None = None) -> None:
    """Index (or index again) the page ``ref`` under the terms of its title and ``texts``
    (``terms``, when the caller has cut them already, outside its transaction)."""
    entry = session.scalar(sa.select(SearchEntry).where(SearchEntry.ref == ref))
    if entry is None:
        entry = SearchEntry(ref=ref)
        session.add(entry)
    entry.title, entry.key, entry.unit, entry.column = title, key, unit, column
    entry.number, entry.repealed, entry.published_at = number, repealed, published_at
    session.flush()
    session.execute(sa.delete(SearchTerm).where(SearchTerm.entry_id == entry.id))
    if terms is None:
        terms = index_terms(title, number, unit, *texts)
    if terms:
        session.execute(sa.insert(SearchTerm),
                        [{"term": t, "entry_id": entry.id, "published_at": published_at}
                         for t in sorted(terms)])


def remove(session: Session, ref: str) -> None:
    entry_id = session.scalar(sa.select(SearchEntry.id).where(SearchEntry.ref == ref))
    if entry_id is not None:
        session.execute(sa.delete(SearchTerm).where(SearchTerm.entry_id == entry_id))
        session.execute(sa.delete(SearchEntry).where(SearchEntry.id == entry_id))


def put_document(session: Session, doc: PublishedDocument) -> None:
    from publisher.documents import addresses

    column = addresses.COLUMN_NAMES[addresses.KIND_COLUMNS[doc.kind]]
    put(session, f"document:{doc.document_id}", title=doc.title,
        key=addresses.document(doc.document_id), unit=doc.issuer, column=column,
        published_at=doc.published_at, number=doc.number, repealed=doc.repealed is not None,
        texts=(doc.body, doc.place, *(a["filename"] for a in doc.attachments)))


def search(session: Session, query: str, limit: int) -> list[Hit]:
    """Pages that hold every word of ``query``, newest first.

    The longest word (the rarest, as a rule) is read newest first from its index; each entry
    it gives is kept if the other words' index holds it too, until a page's worth is found."""
    terms = query_terms(query)
    if not terms:
        return []
    lead, *others = sorted(terms, key=len, reverse=True)
    first = aliased(SearchTerm)
    matching = sa.select(first.entry_id).where(first.term == lead)
    for term in others:
        other = aliased(SearchTerm)
        matching = matching.where(sa.select(other.entry_id).where(
            other.term == term, other.entry_id == first.entry_id).exists())
    ids = list(session.scalars(matching.order_by(first.published_at.desc(),
                                                 first.entry_id.desc()).limit(limit)))
    if not ids:
        return []
    rows = {r.id: r for r in session.scalars(sa.select(SearchEntry)
                                             .where(SearchEntry.id.in_(ids)))}
    return [Hit(title=r.title, key=r.key, unit=r.unit, column=r.column, number=r.number,
                repealed=r.repealed, published_at=r.published_at)
            for r in (rows[i] for i in ids if i in rows)]
