"""约稿 (commissioned topics): scoring owns them and tells ingest which units may answer."""

from __future__ import annotations

from services.contracts.payload import Payload, Timestamp
from services.events import EventType


class TopicCreated(Payload):
    TYPE = EventType.TOPIC_CREATED

    topic: str
    title: str
    deadline: Timestamp
    units: list[str]
