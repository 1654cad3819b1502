"""The publisher's part for documents: files copied to the site store, the document's page and
its column's page written (the page before the listing that links it), the search index told,
``document.published`` sent. A repeal rewrites both pages with 已废止; nothing is removed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher.documents import addresses
from publisher.documents.models import PublishedDocument
from publisher.documents.views import DocumentView, FileView
from publisher.pages import Rendering
from publisher.search import index as search
from publisher.site import Site
from services import outbox
from services.clock import utcnow
from services.context import Context
from services.contracts.documents import DocumentApproved, DocumentPublished, DocumentRepealed
from services.events import Event
from services.inbox import Handler, Prepared, Subscription

log = logging.getLogger(__name__)

LISTED = 500  # a column page lists this many of the newest documents


def view(doc: PublishedDocument, timezone: str) -> DocumentView:
    return DocumentView(
        id=doc.document_id, kind=doc.kind, title=doc.title, body=doc.body, number=doc.number,
        issuer=doc.issuer, issued=doc.issued, effective=doc.effective, starts=doc.starts,
        place=doc.place, attendees=doc.attendees, register_by=doc.register_by,
        repealed=doc.repealed, repeal_reason=doc.repeal_reason, published_at=doc.published_at,
        timezone=timezone,
        files=tuple(FileView(key=a["key"], filename=a["filename"], format=a["format"],
                             bytes=a["bytes"]) for a in doc.attachments))


class DocumentPages:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site

    @property
    def tz(self) -> str:
        return self.ctx.settings.timezone

    def page(self, doc: PublishedDocument, done: Rendering) -> None:
        key = addresses.document(doc.document_id)
        self.site.pages.put(key, self.site.pages.renderer.page(
            "document.html", key, doc=view(doc, self.tz)), done)

    def column(self, session: Session, kind: str, done: Rendering) -> None:
        docs: Sequence[PublishedDocument] = session.scalars(
            sa.select(PublishedDocument).where(PublishedDocument.kind == kind)
            .order_by(PublishedDocument.published_at.desc()).limit(LISTED)).all()
        key = addresses.column(kind)
        name = addresses.KIND_COLUMNS[kind]
        self.site.pages.put(key, self.site.pages.renderer.page(
            "document_list.html", key, kind=kind, title=addresses.COLUMN_NAMES[name],
            description=addresses.COLUMN_DESCRIPTIONS[name],
            docs=[view(d, self.tz) for d in docs]), done)

    def columns(self, session: Session, done: Rendering) -> None:
        for kind in addresses.KIND_COLUMNS:
            self.column(session, kind, done)

    def every_page(self, session: Session, done: Rendering) -> None:
        """Every document's page again (a rebuild), before the columns that list them, and
        its entry in the search index."""
        for doc in session.scalars(sa.select(PublishedDocument)
                                   .order_by(PublishedDocument.document_id)):
            for file in doc.attachments:
                if not self.site.pages.exists(file["key"]):
                    log.warning("document %s: file %s is missing from the site store",
                                doc.document_id, file["key"])
            self.page(doc, done)
            search.put_document(session, doc)


class DocumentPublishing:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site
        self.pages = DocumentPages(ctx, site)

    def _copy_files(self, approved: DocumentApproved) -> list[dict[str, Any]]:
        """Before the transaction (slow, and the same keys on a redelivery)."""
        files = []
        for a in approved.attachments:
            key = addresses.attachment(approved.document, a.sha256, a.filename)
            self.ctx.site.put_bytes(key, self.ctx.uploads.get_bytes(a.key),
                                    addresses.file_type(key))
            files.append({"key": key, "filename": a.filename, "format": a.format,
                          "bytes": a.bytes})
        return files

    def prepare_publish(self, event: Event) -> Handler:
        approved = DocumentApproved.of(event)
        files = self._copy_files(approved)

        def publish(session: Session, event: Event) -> None:
            self.site.lock(session)
            if session.get(PublishedDocument, approved.document) is not None:
                log.warning("document %s approved again; it is already on the site",
                            approved.document)
                return
            done = self.site.ensure_skeleton(session)
            now = utcnow()
            doc = PublishedDocument(
                document_id=approved.document, kind=approved.kind, title=approved.title,
                body=approved.body, number=approved.number, issuer=approved.issuer,
                issued=approved.issued, effective=approved.effective, starts=approved.starts,
                place=approved.place, attendees=approved.attendees,
                register_by=approved.register_by, attachments=files,
                url=self.ctx.settings.portal_url + addresses.document(approved.document),
                published_at=now, updated_at=now)
            session.add(doc)
            session.flush()
            self.pages.page(doc, done)
            self.pages.column(session, doc.kind, done)
            search.put_document(session, doc)
            outbox.emit(session, DocumentPublished(
                document=doc.document_id, kind=approved.kind, url=doc.url,
                published_at=now).event(event.subject))

        return publish

    def repeal(self, session: Session, event: Event) -> None:
        repealed = DocumentRepealed.of(event)
        self.site.lock(session)
        doc = session.get(PublishedDocument, repealed.document)
        if doc is None:
            return
        doc.repealed, doc.repeal_reason = repealed.repealed, repealed.reason
        doc.updated_at = utcnow()
        session.flush()
        done = self.site.ensure_skeleton(session)
        self.pages.page(doc, done)
        self.pages.column(session, doc.kind, done)
        search.put_document(session, doc)


def subscription(ctx: Context, site: Site) -> Subscription:
    publishing = DocumentPublishing(ctx, site)
    return Subscription(consumer="publisher-documents", handlers={
        DocumentApproved.TYPE: Prepared(publishing.prepare_publish),
        DocumentRepealed.TYPE: publishing.repeal,
    })
