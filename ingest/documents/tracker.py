"""Keeps each document's status, findings and address as moderation and the publisher report."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ingest.documents.models import Document, DocumentStatus
from services.contracts.documents import (
    DocumentApproved,
    DocumentFlagged,
    DocumentPublished,
    DocumentRejected,
    DocumentScreened,
)
from services.events import Event
from services.inbox import Handler, Subscription


def _document(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id, with_for_update=True)


def _set(document: Document, status: DocumentStatus, event: Event) -> None:
    # a later status is never overwritten by an earlier event delivered late
    if event.time >= document.status_at:
        document.status, document.status_at = status, event.time


def screened(session: Session, event: Event) -> None:
    payload = DocumentScreened.of(event)
    document = _document(session, payload.document)
    if document is not None:
        document.findings = list(payload.findings)
        if document.status == DocumentStatus.RECEIVED:
            _set(document, DocumentStatus.SCREENING, event)


def approved(session: Session, event: Event) -> None:
    document = _document(session, DocumentApproved.of(event).document)
    if document is not None and document.status != DocumentStatus.PUBLISHED:
        _set(document, DocumentStatus.APPROVED, event)


def flagged(session: Session, event: Event) -> None:
    document = _document(session, DocumentFlagged.of(event).document)
    if document is not None:
        _set(document, DocumentStatus.FLAGGED, event)


def rejected(session: Session, event: Event) -> None:
    payload = DocumentRejected.of(event)
    document = _document(session, payload.document)
    if document is not None:
        document.reason = payload.reason
        _set(document, DocumentStatus.REJECTED, event)


def published(session: Session, event: Event) -> None:
    payload = DocumentPublished.of(event)
    document = _document(session, payload.document)
    if document is not None:
        document.url = payload.url
        _set(document, DocumentStatus.PUBLISHED, event)


def subscription() -> Subscription:
    handlers: dict[str, Handler] = {
        DocumentScreened.TYPE: screened, DocumentApproved.TYPE: approved,
        DocumentFlagged.TYPE: flagged, DocumentRejected.TYPE: rejected,
        DocumentPublished.TYPE: published,
    }
    return Subscription(consumer="ingest-documents", handlers=handlers)
