"""An evaluation in the distributed mode: ballots received by the API process, their texts
screened by a Celery moderation worker, counted by the kombu scoring consumer and the result
page written by the Celery publisher into the S3 site bucket, on RabbitMQ and PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bootstrap import build_context, prepare
from services.identity import add_unit, add_user
from services.settings import Settings
from tests import survey_scenario as hand
from tests.e2e.processes import Baosong, api, wait_for_http
from tests.support import free_port, wait_until

pytestmark = pytest.mark.e2e


def test_an_evaluation_is_counted_screened_and_published_by_separate_processes(
        tmp_path: Path, pg_url: str, amqp_url: str, s3_endpoint: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:8]
    app = Baosong(tmp_path, port=port, database_url=pg_url, broker_url=amqp_url,
                  s3_endpoint=s3_endpoint, s3_access_key="testing", s3_secret_key="testing",
                  uploads_bucket=f"up-{tag}", site_bucket=f"site-{tag}",
                  exchange=f"baosong.events.{tag}", queue_prefix=f"baosong-{tag}",
                  worker_concurrency=1)
    # the schema, the units and the admin in this process: five commands would cost half a minute
    ctx = build_context(Settings(data_dir=tmp_path / "var",  # type: ignore[call-arg]
                                             database_url=pg_url, _env_file=None))
    prepare(ctx)
    with ctx.db.transaction() as session:
        for slug, name in hand.UNITS:
            add_unit(session, slug, name, "county")
        _, token = add_user(session, "孙伟", "admin")
    ctx.db.dispose()
    admin = api(base, token)
    for name in ("api", "worker", "publisher", "scoring"):
        app.start(name, name)
    try:
        wait_for_http(base)
        sid = admin.post("/api/surveys", json=hand.evaluation()).json()["id"]
        codes = admin.post(f"/api/surveys/{sid}/codes", json={"count": 5}).json()["codes"]
        public = httpx.Client(base_url=base, timeout=30)

        def cast(code: str, answers: dict[str, dict[str, object]]) -> int:
            return public.post(f"/api/surveys/{sid}/ballots",
                               json={"code": code, "answers": answers}).status_code

        # the first code sent four times at once: one ballot
        with ThreadPoolExecutor(4) as pool:
            raced = list(pool.map(lambda _: cast(codes[0], hand.BALLOTS[0]), range(4)))
        assert sorted(raced) == [201, 409, 409, 409]
        spam = {**hand.BALLOTS[1], "linjiang": {**hand.BALLOTS[1]["linjiang"],
                                                "q5": "办证找我，微信 13812345678"}}
        assert cast(codes[1], spam) == 201
        assert cast(codes[2], hand.BALLOTS[2]) == 201
        assert admin.post(f"/api/surveys/{sid}/close").status_code == 200

        kept = wait_until(lambda: hand.counted(admin.get("/api/evaluations").json()["results"]),
                          timeout=60, what="scoring to keep the evaluation's results")
        assert {r["unit"]: r["score"] for r in kept} == hand.SCORES

        def texts() -> list[dict[str, str]]:
            found: list[dict[str, str]] = admin.get(
                f"/api/surveys/{sid}/results").json()["questions"][4]["texts"]
            return found if all(t["state"] != "pending" for t in found) else []

        assert wait_until(texts, timeout=60, what="moderation to screen the texts") == [
            {"text": "办证找我，微信 13812345678", "state": "held"}]
        assert admin.post(f"/api/surveys/{sid}/publish").status_code == 202
        page = wait_until(lambda: (r := httpx.get(f"{base}/site/surveys/{sid}.html"))
                          .status_code == 200 and r.text, timeout=60,
                          what="the publisher to write the result page")
        assert "13812345678" not in page and "90.00" in page and "44.00" in page
    finally:
        app.stop_all()
