from __future__ import annotations

import json

import pytest

from services.events import Event, InvalidEvent


def test_an_event_round_trips_as_a_cloudevents_envelope() -> None:
    event = Event(type="submission.received", subject="submission/7",
                  data={"submission": 7, "title": "青山县召开工业经济运行分析会"})
    raw = json.loads(event.to_json())
    assert raw["specversion"] == "1.0"
    assert raw["datacontenttype"] == "application/json"
    assert set(raw) >= {"id", "type", "source", "time", "subject", "data"}
    assert "青山县" in event.to_json()  # UTF-8, not \\u escapes
    assert Event.from_json(event.to_json()) == event


@pytest.mark.parametrize("text", [
    "{not json",
    "[]",
    json.dumps({"id": "x", "type": "t", "time": "2026-11-01T00:00:00+00:00"}),
    json.dumps({"id": "x", "type": "t", "time": "yesterday", "data": {}}),
    json.dumps({"id": "x", "type": "t", "time": "2026-11-01T00:00:00", "data": {}}),
    json.dumps({"id": "x", "type": "t", "time": "2026-11-01T00:00:00+00:00", "data": [1]}),
])
def test_what_is_not_an_event_is_refused_as_invalid(text: str) -> None:
    with pytest.raises(InvalidEvent):
        Event.from_json(text)
