"""Keeps each submission's status, findings, reason and address as the other components report.

Events may arrive out of order (a retry overtakes a later event), so a status, and the
findings, reason and address that go with it, are taken only from an event at least as new as
the one that set the current status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingest.models import Status, Submission
from services import metrics
from services.contracts import submissions as contract
from services.events import Event
from services.inbox import Handler, Subscription

Tracked = (contract.Screened | contract.Flagged | contract.Approved | contract.Rejected
           | contract.Returned | contract.Published | contract.Retracted | contract.Reinstated)

STATUS_BY_EVENT: dict[type[Tracked], Status] = {
    contract.Screened: Status.SCREENING,
    contract.Flagged: Status.FLAGGED,
    contract.Approved: Status.APPROVED,
    contract.Rejected: Status.REJECTED,
    contract.Returned: Status.RETURNED,
    contract.Published: Status.PUBLISHED,
    contract.Retracted: Status.RETRACTED,
    contract.Reinstated: Status.APPROVED,  # back on its way to the site
}


def _track(payload_type: type[Tracked], status: Status) -> Handler:
    def handle(session: Session, event: Event) -> None:
        said = payload_type.of(event)
        submission = session.get(Submission, said.submission)  # locked by ``lock_batch``
        if submission is None:
            return
        if isinstance(said, contract.Published) and not said.republished:
            _observe_latency(session, submission, said)
        if event.time < submission.status_at:
            return  # older than what the item shows: its findings, reason and address too
        if isinstance(said, contract.Screened | contract.Decided):
            submission.findings = said.findings
        if isinstance(said, contract.Decided | contract.Retracted | contract.Reinstated) \
                and said.reason:
            submission.reason = said.reason
        if isinstance(said, contract.Published):
            submission.url = said.url
        elif status == Status.RETRACTED:
            submission.url = None
        if status == Status.SCREENING and submission.status != Status.RECEIVED:
            return  # the verdict is already in
        submission.status = status
        submission.status_at = event.time

    return handle


def _observe_latency(session: Session, submission: Submission,
                     published: contract.Published) -> None:
    """Upload → published, from the upload's time to the time the publisher put the item on
    the site (the event says when), observed once the status is committed."""
    seconds = max(0.0, (published.published_at - submission.created_at).total_seconds())
    histogram = metrics.UPLOAD_TO_PUBLISHED.labels(kind=submission.kind)
    metrics.after_commit(session, lambda: histogram.observe(seconds))


LOCKED = "baosong.ingest.locked"


def lock_batch(session: Session, events: Sequence[Event]) -> None:
    """The submissions a batch's events are about, read and locked in one statement: their
    handlers find them in the session."""
    ids = sorted({e.data["submission"] for e in events
                  if isinstance(e.data.get("submission"), int)})
    if ids:  # held by the session for the transaction (its identity map only holds them weakly)
        session.info[LOCKED] = session.scalars(
            sa.select(Submission).where(Submission.id.in_(ids)).with_for_update()).all()


def subscription() -> Subscription:
    handlers: dict[str, Callable[[Session, Event], None]] = {
        payload_type.TYPE: _track(payload_type, status)
        for payload_type, status in STATUS_BY_EVENT.items()
    }
    return Subscription(consumer="ingest", handlers=handlers, start=lock_batch)
