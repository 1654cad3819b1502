"""What scoring tells the world: every ledger line booked."""

from __future__ import annotations

from services.contracts.payload import Payload
from services.contracts.submissions import SubmissionId
from services.events import EventType


class ScoreChanged(Payload):
    TYPE = EventType.SCORE_CHANGED

    seq: int  # the ledger line's sequence number (the live stream's event id)
    unit: str
    informant: int | None  # None for a line about the unit (a quota, a 约稿 missed)
    submission: SubmissionId | None
    rule: str
    points: int
    cause: str  # the fact that caused it
