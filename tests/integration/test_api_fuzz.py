"""The OpenAPI document is true: requests generated from it, valid and invalid, sent to the whole
embedded pipeline with data already in it, and every answer held to every check schemathesis has
(status codes, media types, headers and bodies as declared, valid data accepted, invalid data
refused, no server error). An admin (who may call everything) sends them; the public operations
are called anonymously."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from services.settings import Settings
from tests.support import Pipeline, photo

ARTICLE = "青山县召开工业经济运行分析会，部署四季度重点工作。联系电话：13812345678。"
# the score stream never ends by design (it is tested on its own)
ENDLESS = {"/api/scores/stream"}
# Schema-valid requests these refuse by a rule no JSON Schema states (the rule, then the status);
# every other check still holds for them
BEYOND_SCHEMA: dict[str, set[int]] = {
    # uploads: a form's fields are counted (413 past the settings' limit)
    "POST /api/submissions": {413},
    "POST /api/submissions/{submission_id}/revision": {413},
    "POST /api/documents": {413, 422},  # each kind's own fields: a form needs an attachment
    "POST /api/surveys": {422},  # the questions must fit together (options only on choices)
    "PUT /api/surveys/{survey_id}": {422},
    "POST /api/surveys/{survey_id}/ballots": {422},  # the answers must fit the survey asked
    "POST /api/letters": {413, 422},  # a phone number that can be dialled
    "POST /api/moderation/decisions": {422},  # each item once
    "POST /api/lexicon": {422},  # two characters at least once normalised
    "POST /api/features": {413, 422},  # the sheet's columns
    "POST /api/topics": {422},  # units that exist, a deadline ahead
    "GET /api/reports/period": {415},  # a pdf where LibreOffice is not installed
}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture(params=["sqlite", "postgresql"], name="settings")
def database_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """PostgreSQL refuses what SQLite lets pass (integers past 32 bits, NUL characters)."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)


def populate(p: Pipeline) -> str:
    """Something to find: published and flagged items, a photo item, a survey and an
    evaluation (ids 1 and 2). Returns the admin's token."""
    p.unit("qingshan", "青山县经济和信息化局")
    informant = p.user("王晓明", unit="qingshan")
    admin = p.user("孙伟", role="admin")
    for n in range(3):
        p.upload(informant, title=f"稿件{n}", body=ARTICLE if n == 1 else "正文。")
    p.upload(informant, kind="photo", title="图片", photos=[photo(seed=1)])
    p.post("/api/surveys", admin, {"title": "需求调查", "questions": [
        {"id": "a", "type": "multiple", "text": "需要", "options": ["融资", "用工"], "max": 1},
        {"id": "b", "type": "number", "text": "人数", "min": 0}]})
    p.post("/api/surveys", admin, {"title": "评议", "kind": "evaluation", "access": "codes",
                                   "units": ["qingshan"], "questions": [
                                       {"id": "a", "type": "scale5", "text": "满意度"}]})
    p.settle()
    return admin


def check(case: Any) -> list[str]:
    """Every check on the answer to one generated request: what it found wrong."""
    response = case.call()
    label = case.operation.label
    beyond = BEYOND_SCHEMA.get(label, set())
    excluded = [positive_data_acceptance] if response.status_code in beyond else []
    if response.status_code == 413:  # refused by a limit: a refusal all the same
        excluded.append(negative_data_rejection)
    try:
        case.validate_response(response, excluded_checks=excluded)
    except FailureGroup as group:
        return [f"{label} ({case.meta.generation.mode.value}): {failure.title}: "
                f"{failure.message[:300]}\n  {case.as_curl_command()[:500]}"
                for failure in group.exceptions]
    return []


def test_every_answer_is_the_one_the_document_declares(pipeline: Pipeline) -> None:
    p = pipeline
    admin = populate(p)
    load_all_checks()
    schema = schemathesis.openapi.from_asgi("/openapi.json", p.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ENDLESS:
            continue
        operations += 1
        secured = bool(operation.definition.raw.get("security"))
        token = {"Authorization": f"Bearer {admin}"} if secured else None
        for mode in MODES:
            @given(case=operation.as_strategy(generation_mode=mode, headers=token))
            @settings(max_examples=4, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case: Any) -> None:
                failures.extend(check(case))

            try:
                call()
            except Unsatisfiable:  # no invalid request to make of an operation with no input
                assert mode is GenerationMode.NEGATIVE
        p.settle()  # what the requests set going runs too, and must not fail either
    assert operations > 30
    assert failures == [], "\n".join(failures[:20])
