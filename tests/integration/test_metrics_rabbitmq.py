"""What operators see on RabbitMQ: each consumer's queue depth read by a passive declare, and a
Celery worker's metrics port, which sums up what its pool's children observed."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from services.bus.amqp import AmqpQueueProbe, AmqpTransport, Topology
from services.events import Event
from services.inbox import Subscription
from services.metrics import DEAD_LETTERS, QUEUE_DEPTH, Reading
from services.settings import Settings
from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import article, free_port, wait_until


def _ignore(session: object, event: Event) -> None:
    """A handler: these tests never run it."""


def test_the_probe_reads_each_consumers_ready_messages_by_a_passive_declare(
        amqp_settings: Settings) -> None:
    subscriptions = [Subscription(consumer="scoring", handlers={"test.counted": _ignore}),
                     Subscription(consumer="publisher", handlers={"test.other": _ignore})]
    topology = Topology(amqp_settings, subscriptions)
    transport = AmqpTransport(amqp_settings, topology)
    probe = AmqpQueueProbe(amqp_settings, {
        "scoring": [topology.queues["scoring"].name],
        "publisher": [topology.queues["publisher"].name, "not-declared-yet"],
    }, topology.dead_queue.name)
    try:
        transport.publish(None, [Event(type="test.counted", data={"n": n})  # type: ignore[arg-type]
                                 for n in range(3)])
        readings = list(probe.read())
        assert Reading(QUEUE_DEPTH, 3, (("consumer", "scoring"),)) in readings
        assert Reading(QUEUE_DEPTH, 0, (("consumer", "publisher"),)) in readings
        assert Reading(DEAD_LETTERS, 0, (("consumer", "all"),)) in readings
        with Connection(amqp_settings.broker_url) as conn, conn.channel() as channel:
            channel.queue_purge(topology.queues["scoring"].name)
        readings = list(probe.read())  # on the connection the first scrape opened
        assert Reading(QUEUE_DEPTH, 0, (("consumer", "scoring"),)) in readings
    finally:
        probe.close()
        transport.close()


def _scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(url, timeout=10).text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_celery_worker_answers_on_its_metrics_port_with_its_queues_and_its_pools_work(
        tmp_path: Path, pg_url: str, amqp_url: str) -> None:
    port, metrics_port = free_port(), free_port()
    tag = uuid.uuid4().hex[:8]
    app = Baosong(tmp_path, port=port, database_url=pg_url, broker_url=amqp_url,
                  exchange=f"baosong.events.m{tag}", queue_prefix=f"baosong-m{tag}",
                  worker_concurrency=2, metrics_port=metrics_port, log_level="WARNING")
    app.run("migrate")
    app.run("units", "add", "qingshan", "--name", "青山县经济和信息化局", "--kind", "county")
    informant = api(f"http://127.0.0.1:{port}", app.token("王晓明", "informant", "qingshan"))
    app.start("worker", "worker")
    app.start("api", "api")
    try:
        wait_for_http(f"http://127.0.0.1:{port}")
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        ids = [upload(informant, kind="article", title=f"青山县工业经济运行{n}",
                      body=article(n)).json()["id"] for n in range(3)]

        def screened() -> bool:
            return all(informant.get(f"/api/submissions/{i}").json()["status"] == "approved"
                       for i in ids)

        wait_until(screened, timeout=90, what="the worker to screen the uploads")

        def handled_by_the_pool() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
            figures = _scrape(metrics_url)
            key = ("baosong_handling_seconds_count",
                   frozenset({"consumer": "moderation",
                              "event_type": "submission.received"}.items()))
            return figures if figures.get(key) == 3 else {}

        figures = wait_until(handled_by_the_pool, timeout=30,
                             what="the pool's handling in the worker's metrics")
        assert figures[(QUEUE_DEPTH, frozenset({"consumer": "moderation"}.items()))] == 0
        assert figures[("baosong_probe_up", frozenset({"probe": "rabbitmq"}.items()))] == 1
        assert figures[("baosong_consumer_processes",
                        frozenset({"consumer": "moderation"}.items()))] == 1
        # the API shows its own queues and the outbox it relays
        api_figures = _scrape(f"http://127.0.0.1:{port}/metrics")
        assert (QUEUE_DEPTH, frozenset({"consumer": "ingest"}.items())) in api_figures
        assert api_figures[("baosong_outbox_waiting", frozenset())] == 0
    finally:
        app.stop_all()
