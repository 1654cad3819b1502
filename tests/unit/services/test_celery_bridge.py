"""The Celery event bridge when the broker goes away under its publish (issue 15, item 6): the
failure reaches Celery as a lost connection, which it waits out and reconnects from, not as an
"unrecoverable error" that ends the worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kombu.transport.base import Message

from services.bus.amqp import Topology
from services.bus.celery_worker import make_celery
from services.events import Event
from services.inbox import Subscription
from services.settings import Settings
from tests.support import free_port

WIRE = Path(__file__).resolve().parents[2] / "fixtures" / "events" / "wire.json"


def _dead_broker_app(tmp_path: Path) -> Any:
    settings = Settings(data_dir=tmp_path, _env_file=None,  # type: ignore[call-arg]
                        broker_url=f"amqp://guest:guest@127.0.0.1:{free_port()}//")
    topology = Topology(settings, [Subscription("scoring", {"score.changed": lambda *_: None})])
    return make_celery(settings, topology, ["scoring"], lambda: None)  # type: ignore[arg-type,return-value]


def test_a_publish_to_a_broker_that_went_away_is_a_lost_connection_to_celery(
        tmp_path: Path) -> None:
    app = _dead_broker_app(tmp_path)
    bridge_step = next(step for step in app.steps["consumer"] if step.__name__ == "EventBridge")
    on_message = bridge_step.__new__(bridge_step)._bridge("scoring")
    data = json.loads(WIRE.read_text(encoding="utf-8"))["score.changed"][0]
    event = Event(type="score.changed", subject="unit/qingshan", data=data)
    message = Message(body=event.to_json().encode(), channel=None)
    with app.connection_for_read() as connection:
        recoverable = connection.connection_errors
    with pytest.raises(Exception) as raised:
        on_message(message)
    # Celery's consumer restarts (and reconnects, waiting for the broker) on these alone
    assert isinstance(raised.value, recoverable), type(raised.value)
    assert not message.acknowledged  # the broker redelivers the event once it is back
    assert app.conf.broker_connection_max_retries is None  # waits however long it takes

