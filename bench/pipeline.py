"""Submissions per second through the API, and seconds from upload to published page, on the
embedded default and on the distributed mode (RabbitMQ + PostgreSQL + S3, separate processes).

Baselines measured in the same run: the API's bare ``/healthz`` request rate (what HTTP alone
costs on this machine), and the embedded mode's latency for the distributed one.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.e2e.processes import Baosong, api, upload, wait_for_http
from tests.support import article, free_port, photo, postgres_database, rabbitmq_vhost, s3_server

CLIENTS = 8
REQUESTS = 200
LATENCY_SAMPLES = 10
# every upload is new content: a resent text or photo would be held as a duplicate
ARTICLES = [article(n, sentences=10) for n in range(REQUESTS + LATENCY_SAMPLES + 1)]
PHOTOS = [photo((1600, 1200), seed=n) for n in range(REQUESTS // 4 + LATENCY_SAMPLES + 1)]


def rate(call: Callable[[int], object], n: int) -> float:
    """Calls per second with CLIENTS concurrent clients."""
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(call, range(n)))
    return n / (time.perf_counter() - started)


def status(client: httpx.Client, submission_id: int) -> str:
    value: str = client.get(f"/api/submissions/{submission_id}").json()["status"]
    return value


def measure(mode: str, app: Baosong, base: str) -> dict[str, float]:
    app.run("units", "add", "qingshan", "--name", "青山县经济和信息化局", "--kind", "county")
    informant = api(base, app.token("王晓明", "informant", "qingshan"))
    wait_for_http(base)
    health = httpx.Client(base_url=base)
    for _ in range(20):  # warm up: imports, jieba's dictionary, connections
        health.get("/healthz")
    first = upload(informant, kind="photo", title="预热", photos=[PHOTOS[-1]]).json()["id"]
    while status(informant, first) != "published":
        time.sleep(0.05)

    figures = {"healthz_per_s": rate(lambda _: health.get("/healthz"), REQUESTS)}
    figures["articles_per_s"] = rate(
        lambda n: upload(informant, kind="article", title=f"文章{n}", body=ARTICLES[n]), REQUESTS)
    figures["photo_items_per_s"] = rate(
        lambda n: upload(informant, kind="photo", title=f"图片{n}", photos=[PHOTOS[n]]),
        REQUESTS // 4)

    # drain what the load left behind, so the latency samples do not queue behind it
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        in_flight = sum(informant.get("/api/submissions", params={"status": s}).json()["total"]
                        for s in ("received", "screening", "approved"))
        if in_flight == 0:
            break
        time.sleep(0.5)

    latencies = []
    for n in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        sid = upload(informant, kind="article", title=f"时延测试{n}", body=ARTICLES[REQUESTS + n],
                     photos=[PHOTOS[REQUESTS // 4 + n]]).json()["id"]
        while (state := status(informant, sid)) != "published":
            if state in ("flagged", "rejected"):
                raise RuntimeError(f"latency sample {sid} was {state}, not published")
            time.sleep(0.01)
        latencies.append(time.perf_counter() - started)
    figures["upload_to_published_s"] = statistics.median(latencies)
    figures["upload_to_published_max_s"] = max(latencies)
    return figures


def embedded(workdir: Path) -> dict[str, float]:
    port = free_port()
    app = Baosong(workdir, port=port, log_level="WARNING")
    try:
        app.start("up", "up")
        return measure("embedded", app, f"http://127.0.0.1:{port}")
    finally:
        app.stop_all()


def distributed(workdir: Path) -> dict[str, float]:
    with ExitStack() as stack:
        pg = stack.enter_context(postgres_database())
        amqp = stack.enter_context(rabbitmq_vhost())
        s3 = stack.enter_context(s3_server())
        port = free_port()
        tag = uuid.uuid4().hex[:8]
        app = Baosong(workdir, port=port, database_url=pg, broker_url=amqp, s3_endpoint=s3,
                      s3_access_key="bench", s3_secret_key="bench", uploads_bucket=f"u-{tag}",
                      site_bucket=f"s-{tag}", log_level="WARNING")
        stack.callback(app.stop_all)
        app.run("migrate")
        for name in ("api", "worker", "publisher", "scoring"):
            app.start(name, name)
        return measure("distributed", app, f"http://127.0.0.1:{port}")


def main() -> None:
    print(f"cores: {os.cpu_count()}; {CLIENTS} concurrent clients; {REQUESTS} requests a figure")
    with tempfile.TemporaryDirectory() as tmp:
        results = {"embedded": embedded(Path(tmp) / "embedded"),
                   "distributed": distributed(Path(tmp) / "distributed")}
    print(f"{'':24}{'embedded':>14}{'distributed':>14}")
    for key, label in (("healthz_per_s", "GET /healthz /s"),
                       ("articles_per_s", "article uploads /s"),
                       ("photo_items_per_s", "1-photo uploads /s"),
                       ("upload_to_published_s", "upload→published s"),
                       ("upload_to_published_max_s", "  (slowest of 10) s")):
        print(f"{label:24}{results['embedded'][key]:>14.3f}{results['distributed'][key]:>14.3f}")
    for mode, r in results.items():
        print(f"{mode}: article uploads run at {r['articles_per_s'] / r['healthz_per_s']:.2f}× "
              f"the bare HTTP rate; photo uploads at "
              f"{r['photo_items_per_s'] / r['healthz_per_s']:.2f}×")
    slower = (results["distributed"]["upload_to_published_s"]
              / results["embedded"]["upload_to_published_s"])
    print(f"distributed upload→published takes {slower:.2f}× the embedded time")


if __name__ == "__main__":
    main()
