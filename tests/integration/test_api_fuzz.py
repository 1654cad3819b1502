"""No input makes a 500: requests generated from the API's own OpenAPI schema, sent by an admin
(who may call everything) to the whole embedded pipeline, with data already in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from services.settings import Settings
from tests.support import Pipeline, photo

ARTICLE = "青山县召开工业经济运行分析会，部署四季度重点工作。联系电话：13812345678。"
# the score stream never ends by design (it is tested on its own)
ENDLESS = {"/api/scores/stream"}


@pytest.fixture(params=["sqlite", "postgresql"], name="settings")
def database_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """PostgreSQL refuses what SQLite lets pass (integers past 32 bits, NUL characters)."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)


def test_no_generated_request_makes_the_server_fail(pipeline: Pipeline) -> None:
    p = pipeline
    p.unit("qingshan", "青山县经济和信息化局")
    informant = p.user("王晓明", unit="qingshan")
    admin = p.user("孙伟", role="admin")
    for n in range(3):  # something to find: published and flagged items, a photo item
        p.upload(informant, title=f"稿件{n}", body=ARTICLE if n == 1 else "正文。")
    p.upload(informant, kind="photo", title="图片", photos=[photo(seed=1)])
    # a survey and an evaluation to answer (survey ids 1 and 2)
    p.post("/api/surveys", admin, {"title": "需求调查", "questions": [
        {"id": "a", "type": "multiple", "text": "需要", "options": ["融资", "用工"], "max": 1},
        {"id": "b", "type": "number", "text": "人数", "min": 0}]})
    p.post("/api/surveys", admin, {"title": "评议", "kind": "evaluation", "access": "codes",
                                   "units": ["qingshan"], "questions": [
                                       {"id": "a", "type": "scale5", "text": "满意度"}]})
    p.settle()

    schema = schemathesis.openapi.from_asgi("/openapi.json", p.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ENDLESS:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {admin}"})
            if response.status_code >= 500:
                failures.append(f"{case.as_curl_command()} -> {response.status_code} "
                                f"{response.text[:200]}")

        call()
        p.settle()  # what the requests set going runs too, and must not fail either
    assert operations > 30
    assert failures == []
