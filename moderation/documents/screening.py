"""Screening a received document: its title, body, 文号, issuer and meeting details go through
the lexicon's screener. A clean document is approved; one that blocks is rejected; a flagged one
waits for a moderator, unless it is an admin's own and the settings let that skip the
moderator (``documents_skip_moderator``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from moderation.documents.models import DocumentReview
from moderation.lexicon import Lexicon
from moderation.text import verdict
from services import outbox
from services.context import Context
from services.contracts.documents import (
    DocumentApproved,
    DocumentFlagged,
    DocumentReceived,
    DocumentRejected,
    DocumentScreened,
)
from services.events import Event
from services.inbox import Handler, Prepared, Subscription

SCREENED_FIELDS = ("number", "issuer", "place", "attendees")


def approval(content: dict[str, Any], by: str) -> Event:
    received = DocumentReceived.from_data(content)
    return DocumentApproved(**received.model_dump(), by=by).event(f"document/{received.document}")


def _reason(findings: list[dict[str, Any]]) -> str:
    return "；".join(f.get("message") or f"含有禁用词「{f.get('match')}」（{f.get('category')}）"
                    for f in findings if f.get("action") == "block")


class DocumentScreening:
    def __init__(self, ctx: Context, lexicon: Lexicon) -> None:
        self.ctx = ctx
        self.lexicon = lexicon

    def prepare(self, event: Event) -> Handler:
        received = DocumentReceived.of(event)
        screener = self.lexicon.screener()
        found = [f.to_dict() for f in screener.screen(received.title, received.body)]
        for name in SCREENED_FIELDS:
            found += [f.to_dict() for f in screener.screen_field(name, getattr(received, name))]
        state = verdict(found)
        skip = (state == "flagged" and received.author_role == "admin"
                and self.ctx.settings.documents_skip_moderator)
        content = event.data

        def record(session: Session, event: Event) -> None:
            final = "approved" if skip else state
            session.add(DocumentReview(
                document_id=received.document, state=final, content=content, findings=found,
                lexicon_version=screener.version, screened_at=event.time,
                reason=_reason(found) or None))
            subject = event.subject
            outbox.emit(session, DocumentScreened(document=received.document, verdict=state,  # type: ignore[arg-type]
                                                  findings=found).event(subject))
            if final == "approved":
                outbox.emit(session, approval(content, "admin" if skip else "screening"))
            elif final == "flagged":
                outbox.emit(session, DocumentFlagged(document=received.document,
                                                     findings=found).event(subject))
            else:
                outbox.emit(session, DocumentRejected(document=received.document,
                                                      reason=_reason(found),
                                                      findings=found).event(subject))

        return record


def subscription(ctx: Context, lexicon: Lexicon) -> Subscription:
    screening = DocumentScreening(ctx, lexicon)
    return Subscription(consumer="moderation-documents",
                        handlers={DocumentReceived.TYPE: Prepared(screening.prepare)})
