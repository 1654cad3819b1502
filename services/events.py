"""The event envelope (CloudEvents 1.0, JSON) and the names of the events Baosong sends.

An event is a fact that has happened. It travels on the topic exchange with its ``type`` as the
routing key; every consumer is idempotent on its ``id``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.clock import utcnow

SOURCE = "urn:baosong"


class EventType:
    """Event names; the routing key of each message is its type."""

    RECEIVED = "submission.received"
    SCREENED = "submission.screened"
    FLAGGED = "submission.flagged"
    APPROVED = "submission.approved"
    REJECTED = "submission.rejected"
    RETURNED = "submission.returned"
    PUBLISHED = "submission.published"
    RETRACTED = "submission.retracted"
    REINSTATED = "submission.reinstated"  # a retracted item approved again, to be republished
    LEAD = "submission.lead"
    ADOPTED = "submission.adopted"
    INSTRUCTED = "submission.instructed"
    SCORE_CHANGED = "score.changed"
    TOPIC_CREATED = "topic.created"  # a 约稿: ingest keeps which units may answer it


class InvalidEvent(ValueError):
    """A message that is not a Baosong event: never worth retrying."""


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    subject: str = ""
    source: str = SOURCE
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: dt.datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": "1.0",
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, raw: Any) -> Event:
        try:
            time = dt.datetime.fromisoformat(raw["time"])
            if time.tzinfo is None:
                raise ValueError("time has no zone")
            data = raw["data"]
            if not isinstance(data, dict):
                raise TypeError("data is not an object")
            return cls(
                id=str(raw["id"]),
                type=str(raw["type"]),
                source=str(raw.get("source", SOURCE)),
                subject=str(raw.get("subject", "")),
                time=time,
                data=data,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidEvent(f"not a CloudEvents envelope: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise InvalidEvent(f"not JSON: {exc}") from exc
        return cls.from_dict(raw)
