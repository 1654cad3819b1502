"""Keeps each submission's status, findings, reason and address as the other components report.

Events may arrive out of order (a retry overtakes a later event), so a status is taken only
from an event newer than the one that set the current status.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ingest.models import Status, Submission
from services.events import Event, EventType
from services.inbox import Handler, Subscription

STATUS_BY_EVENT = {
    EventType.SCREENED: Status.SCREENING,
    EventType.FLAGGED: Status.FLAGGED,
    EventType.APPROVED: Status.APPROVED,
    EventType.REJECTED: Status.REJECTED,
    EventType.RETURNED: Status.RETURNED,
    EventType.PUBLISHED: Status.PUBLISHED,
    EventType.RETRACTED: Status.RETRACTED,
    EventType.REINSTATED: Status.APPROVED,  # back on its way to the site
}


def _track(status: Status) -> Handler:
    def handle(session: Session, event: Event) -> None:
        submission = session.get(Submission, event.data["submission"], with_for_update=True)
        if submission is None:
            return
        data = event.data
        if "findings" in data:
            submission.findings = data["findings"]
        if data.get("reason"):
            submission.reason = data["reason"]
        if status == Status.PUBLISHED:
            submission.url = data.get("url")
        elif status == Status.RETRACTED:
            submission.url = None
        if status == Status.SCREENING and submission.status != Status.RECEIVED:
            return  # the verdict is already in
        if event.time >= submission.status_at:
            submission.status = status
            submission.status_at = event.time

    return handle


def subscription() -> Subscription:
    handlers: dict[str, Callable[[Session, Event], None]] = {
        event_type: _track(status) for event_type, status in STATUS_BY_EVENT.items()
    }
    return Subscription(consumer="ingest", handlers=handlers)
