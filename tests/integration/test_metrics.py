"""What operators see: an upload's way through the embedded pipeline moves the figures that
``/metrics`` shows, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.settings import Settings
from tests.conftest import City
from tests.support import Pipeline, article, photo

Figures = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)


def scrape(p: Pipeline) -> Figures:
    response = p.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def value(figures: Figures, name: str, **labels: str) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


def test_an_upload_through_the_pipeline_moves_every_figure(city: City) -> None:
    p = city.pipeline
    before = scrape(p)

    accepted = p.upload(city.informant, title="青山县召开工业经济运行分析会", body=article(1),
                        photos=[photo(seed=1)], captions=["会议现场"])
    assert accepted.status_code == 202
    not_a_photo = p.upload(city.informant, kind="photo", title="厂区", photos=[b"GIF89a..."])
    assert not_a_photo.status_code == 415
    no_title = p.upload(city.informant, title="", body=article(2))
    assert no_title.status_code == 422

    waiting = scrape(p)  # the upload's event is in the outbox, not yet relayed
    assert value(waiting, "baosong_outbox_waiting") == 1
    assert value(waiting, "baosong_outbox_oldest_age_seconds") >= 0
    assert value(waiting, "baosong_probe_up", probe="outbox") == 1
    p.relay.drain()  # relayed: now it waits in screening's queue
    queued = scrape(p)
    assert value(queued, "baosong_outbox_waiting") == 0
    assert value(queued, "baosong_queue_depth", consumer="moderation") == 1
    assert value(queued, "baosong_queue_oldest_age_seconds", consumer="moderation") > 0

    p.settle()
    item = p.get(f"/api/submissions/{accepted.json()['id']}", city.informant).json()
    assert item["status"] == "published"
    after = scrape(p)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    for consumer, event_type in [("moderation", "submission.received"),
                                 ("publisher", "submission.approved"),
                                 ("ingest", "submission.published"),
                                 ("scoring", "submission.published")]:
        assert moved("baosong_handling_seconds_count", consumer=consumer,
                     event_type=event_type) == 1, (consumer, event_type)
        assert moved("baosong_handling_seconds_sum", consumer=consumer,
                     event_type=event_type) > 0
    assert moved("baosong_batch_seconds_count", consumer="publisher") >= 1
    assert moved("baosong_event_wait_seconds_count", consumer="moderation") == 1
    assert moved("baosong_upload_to_published_seconds_count", kind="article") == 1
    assert moved("baosong_upload_to_published_seconds_sum", kind="article") > 0
    assert moved("baosong_upload_to_published_seconds_count", kind="photo") == 0
    assert moved("baosong_uploads_rejected_total", reason="photo_format") == 1
    assert moved("baosong_uploads_rejected_total", reason="no_title") == 1

    consumers = {dict(labels)["consumer"] for name, labels in after
                 if name == "baosong_queue_depth"}
    assert {"moderation", "publisher", "ingest", "scoring"} <= consumers
    for consumer in consumers:
        assert value(after, "baosong_queue_depth", consumer=consumer) == 0, consumer
        assert value(after, "baosong_queue_oldest_age_seconds", consumer=consumer) == 0
        assert value(after, "baosong_dead_letters", consumer=consumer) == 0
    assert value(after, "baosong_outbox_waiting") == 0
    assert value(after, "baosong_probe_up", probe="embedded_queue") == 1


def test_a_message_no_handler_can_take_is_counted_in_its_consumers_dead_letters(
        city: City) -> None:
    from services.bus.local import LocalMessage

    p = city.pipeline
    with p.ctx.db.transaction() as session:
        session.add(LocalMessage(queue="scoring", event_id="not-an-event", payload="{broken"))
    p.settle()
    figures = scrape(p)
    assert value(figures, "baosong_dead_letters", consumer="scoring") == 1
    assert value(figures, "baosong_dead_letters", consumer="moderation") == 0
