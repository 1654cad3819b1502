"""Every event type has its payload type, and the payload types carry the recorded wire format
(``tests/fixtures/events/wire.json``, captured from a real run before the payload types existed)
unchanged both ways, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.contracts import check, payload_type, registered_types
from services.contracts.submissions import Received, SubmissionId, SubmissionIdentity
from services.events import Event, EventType, InvalidEvent

WIRE = Path(__file__).resolve().parents[2] / "fixtures" / "events" / "wire.json"
RECORDED: dict[str, list[dict[str, Any]]] = json.loads(WIRE.read_text(encoding="utf-8"))
SAMPLES = [(t, i, d) for t, data in sorted(RECORDED.items()) for i, d in enumerate(data)]


def test_every_event_type_has_one_payload_type() -> None:
    names = {v for k, v in vars(EventType).items() if k.isupper()}
    assert names <= set(registered_types())
    assert names == set(RECORDED)


@pytest.mark.parametrize(("event_type", "n", "data"), SAMPLES,
                         ids=[f"{t}-{i}" for t, i, _ in SAMPLES])
def test_a_recorded_payload_reads_and_writes_back_unchanged(event_type: str, n: int,
                                                            data: dict[str, Any]) -> None:
    declared = payload_type(event_type)
    assert declared is not None
    payload = declared.from_data(data)
    assert payload.to_data() == data
    event = payload.event("submission/1")
    assert event.type == event_type
    sent = json.dumps(json.loads(event.to_json())["data"], ensure_ascii=False)
    assert sent == json.dumps(data, ensure_ascii=False)  # the same keys in the same order


def test_the_identity_is_shared_and_the_subject_follows_the_submission() -> None:
    received = Received.from_data(RECORDED[EventType.RECEIVED][0])
    identity = received.identity()
    assert type(identity) is SubmissionIdentity
    assert set(identity.to_data()) == {"submission", "kind", "unit", "unit_kind", "informant",
                                       "topic", "revision_of", "content_hash"}
    assert received.event().subject == f"submission/{received.submission}"
    assert received.submission == SubmissionId(received.to_data()["submission"])


@pytest.mark.parametrize("change", [
    {"submission": "1"},  # a string for a number: not coerced
    {"submission": None},
    {"informant": True},
    {"photos": [{"key": "k"}]},
    {"title": 7},
])
def test_data_that_does_not_fit_its_type_is_an_invalid_event(change: dict[str, Any]) -> None:
    data = {**RECORDED[EventType.RECEIVED][0], **change}
    event = Event(type=EventType.RECEIVED, data=data)
    with pytest.raises(InvalidEvent):
        check(event)
    with pytest.raises(InvalidEvent):
        Received.of(event)


def test_a_missing_field_is_invalid_and_an_unknown_one_is_ignored() -> None:
    data = dict(RECORDED[EventType.RECEIVED][0])
    check(Event(type=EventType.RECEIVED, data={**data, "added_later": 1}))
    del data["content_hash"]
    with pytest.raises(InvalidEvent):
        check(Event(type=EventType.RECEIVED, data=data))


def test_a_payload_is_frozen_and_read_only_for_its_own_type() -> None:
    received = Received.from_data(RECORDED[EventType.RECEIVED][0])
    with pytest.raises(ValueError):
        received.title = "改"  # type: ignore[misc]
    with pytest.raises(InvalidEvent):
        Received.of(Event(type=EventType.SCREENED, data=received.to_data()))


def test_a_time_keeps_its_offset_as_written_and_must_carry_one() -> None:
    [topic] = RECORDED[EventType.TOPIC_CREATED]
    shanghai = {**topic, "deadline": "2026-12-31T18:00:00+08:00"}
    assert check(Event(type=EventType.TOPIC_CREATED, data=shanghai)) is None
    declared = payload_type(EventType.TOPIC_CREATED)
    assert declared is not None and declared.from_data(shanghai).to_data() == shanghai
    with pytest.raises(InvalidEvent):
        check(Event(type=EventType.TOPIC_CREATED, data={**topic, "deadline": "2026-12-31"}))
