"""Ballots per second into an open survey, on the embedded default and the distributed mode,
and a check that the tallies scoring keeps equal a recount from the ballots ingest stored.

500 ballots from 8 concurrent clients (a burst from one address: the per-address limit is
raised for the load, as an operator would for a test). Baseline measured in the same run: the
API's bare ``/healthz`` request rate.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from bootstrap import build_context
from ingest.surveys.casting import recount
from services.contracts.surveys import SCALE5
from services.settings import Settings
from tests.e2e.processes import Baosong, api, wait_for_http
from tests.support import free_port, postgres_database, rabbitmq_vhost, s3_server

CLIENTS = 8
BALLOTS = 500
OPTIONS = ["融资", "用工", "用地", "技术", "市场"]
SURVEY = {"title": "2026年中小企业发展需求调查", "kind": "survey", "access": "open",
          "questions": [
              {"id": "needs", "type": "multiple", "text": "最需要的服务", "max": 3,
               "options": OPTIONS, "required": True},
              {"id": "mood", "type": "scale5", "text": "对营商环境的总体评价", "required": True},
              {"id": "staff", "type": "number", "text": "职工人数", "min": 0},
              {"id": "say", "type": "text", "text": "其他意见建议"}]}


def ballot(n: int) -> dict[str, Any]:
    draw = random.Random(n)
    answers: dict[str, Any] = {"needs": draw.sample(OPTIONS, draw.randint(1, 3)),
                               "mood": draw.randint(0, 5)}
    if draw.random() < 0.7:
        answers["staff"] = draw.randint(5, 3000)
    if draw.random() < 0.2:
        answers["say"] = f"希望加强第{n}号企业的用工培训服务"
    return {"answers": answers, "key": f"bench-{n}"}


def rate(call: Any, n: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(call, range(n)))
    return n / (time.perf_counter() - started)


def agrees(results: dict[str, Any], counted: dict[str, dict[str, int]]) -> bool:
    """Scoring's tallies against the recount from ingest's ballots, question by question."""
    labels = dict(SCALE5)
    by_id = {q["id"]: q for q in results["questions"]}
    needs = {o: counted["needs"].get(o, 0) for o in OPTIONS}
    mood = {labels[int(g)]: n for g, n in counted["mood"].items()}
    return (by_id["needs"]["counts"] == needs
            and {k: v for k, v in by_id["mood"]["counts"].items() if v} == mood
            and by_id["staff"]["answered"] == sum(counted.get("staff", {}).values())
            and len(by_id["say"]["texts"]) == sum(counted.get("say", {}).values()))


def measure(app: Baosong, base: str, settings: Settings) -> dict[str, float]:
    admin = api(base, app.token("孙伟", "admin"))
    wait_for_http(base)
    health = httpx.Client(base_url=base)
    for _ in range(20):
        health.get("/healthz")
    sid = admin.post("/api/surveys", json=SURVEY).json()["id"]
    public = httpx.Client(base_url=base, timeout=30)
    figures = {"healthz_per_s": rate(lambda _: health.get("/healthz"), BALLOTS)}

    def cast(n: int) -> None:
        answer = public.post(f"/api/surveys/{sid}/ballots", json=ballot(n))
        if answer.status_code != 201:
            raise RuntimeError(f"ballot {n}: {answer.status_code} {answer.text}")

    figures["ballots_per_s"] = rate(cast, BALLOTS)
    started = time.perf_counter()
    deadline = time.monotonic() + 300
    while admin.get(f"/api/surveys/{sid}/results").json()["ballots"] < BALLOTS:
        if time.monotonic() > deadline:
            raise RuntimeError("scoring did not count every ballot")
        time.sleep(0.1)
    figures["counted_after_s"] = time.perf_counter() - started
    results = admin.get(f"/api/surveys/{sid}/results").json()
    ctx = build_context(settings)
    with ctx.db.session() as session:
        counted = recount(session, sid)[""]
    ctx.db.dispose()
    if results["ballots"] != BALLOTS or not agrees(results, counted):
        raise RuntimeError(f"tallies differ from the recount: {results['questions'][:2]} "
                           f"vs {counted['needs']}, {counted['mood']}")
    figures["recount_equal"] = 1.0
    return figures


def embedded(workdir: Path) -> dict[str, float]:
    port = free_port()
    app = Baosong(workdir, port=port, log_level="WARNING", survey_ballots_per_address=100_000)
    try:
        app.start("up", "up")
        settings = Settings(data_dir=workdir / "var", _env_file=None)  # type: ignore[call-arg]
        return measure(app, f"http://127.0.0.1:{port}", settings)
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
                      site_bucket=f"s-{tag}", log_level="WARNING",
                      survey_ballots_per_address=100_000)
        stack.callback(app.stop_all)
        app.run("migrate")
        for name in ("api", "worker", "scoring"):
            app.start(name, name)
        settings = Settings(data_dir=workdir / "var", database_url=pg,  # type: ignore[call-arg]
                            _env_file=None)
        return measure(app, f"http://127.0.0.1:{port}", settings)


def main() -> None:
    print(f"cores: {os.cpu_count()}; {CLIENTS} concurrent clients; {BALLOTS} ballots a figure")
    with tempfile.TemporaryDirectory() as tmp:
        results = {"embedded": embedded(Path(tmp) / "embedded"),
                   "distributed": distributed(Path(tmp) / "distributed")}
    print(f"{'':28}{'embedded':>14}{'distributed':>14}")
    for key, label in (("healthz_per_s", "GET /healthz /s"), ("ballots_per_s", "ballots /s"),
                       ("counted_after_s", "all counted after (s)"),
                       ("recount_equal", "tallies = recount (1 yes)")):
        print(f"{label:28}{results['embedded'][key]:>14.3f}{results['distributed'][key]:>14.3f}")
    for mode, r in results.items():
        print(f"{mode}: ballots run at {r['ballots_per_s'] / r['healthz_per_s']:.2f}× "
              "the bare HTTP rate")


if __name__ == "__main__":
    main()
