"""The mailbox's event contracts: each round-trips through the envelope, and only the event
moderation alone reads carries the writer's contact details."""

from __future__ import annotations

import datetime as dt

import pytest

from services.contracts import letters as c
from services.contracts import registered_types
from services.events import Event, InvalidEvent

REF = {"letter": 7, "code": "1234567890", "type": "complaint",
       "received_at": dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)}
CONTACT_FIELDS = {"name", "phone", "email"}


def test_every_letter_event_round_trips_through_the_envelope() -> None:
    payload = c.LetterReplied(**REF, unit="industry", reply="答复",
                              answered_on=dt.date(2026, 12, 3), due=dt.date(2026, 12, 8),
                              on_time=True,
                              publication=c.LetterPublication(subject="s", body="b", reply="r",
                                                              unit_name="工业科"))
    event = Event.from_json(payload.event("letter/7").to_json())
    assert c.LetterReplied.of(event) == payload


def test_only_letter_received_carries_the_writers_contact_details() -> None:
    letter_types = {t: p for t, p in registered_types().items() if t.startswith("letter.")}
    assert len(letter_types) == 16
    carrying = {t for t, p in letter_types.items() if CONTACT_FIELDS & set(p.model_fields)}
    assert carrying == {"letter.received"}
    assert not CONTACT_FIELDS & set(c.LetterPublication.model_fields)


def test_a_letter_event_of_the_wrong_shape_is_invalid() -> None:
    event = Event(type="letter.rated", subject="letter/7", data={**REF, "rating": "great"})
    with pytest.raises(InvalidEvent):
        c.LetterRated.of(event)
