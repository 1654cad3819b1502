"""The OpenAPI document the app serves: every operation declares the 4xx answers it can give,
in the shape they are sent, and the bearer scheme wherever the route asks who is calling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.support import Pipeline


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_declares_its_client_errors_as_sent(pipeline: Pipeline) -> None:
    document = pipeline.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's shape, never sent
    operations = list(_operations(document))
    assert len(operations) > 30
    for path, method, operation in operations:
        responses = operation["responses"]
        client_errors = [code for code in responses if code.startswith("4")]
        assert client_errors, f"{method} {path} declares no 4xx"
        assert responses["422"]["content"]["application/json"]["schema"]["$ref"] \
            == "#/components/schemas/Invalid"
        for code in client_errors:
            shape = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert shape in ("#/components/schemas/Refusal", "#/components/schemas/Invalid")
        if "{" in path:
            assert "404" in responses, f"{method} {path} names a thing and declares no 404"


def test_every_operation_that_asks_for_a_token_declares_the_bearer_scheme(
        pipeline: Pipeline) -> None:
    """Asked without a token, an operation answers 401 exactly where the document says it
    needs the bearer scheme (who is asking is settled before anything else is read)."""
    document = pipeline.client.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")  # /docs: Authorize
    secured = 0
    for path, method, operation in _operations(document):
        if path == "/api/scores/stream":
            continue  # never ends when it lets the caller in (it is tested on its own)
        address = re.sub(r"\{[^}]+\}", "1", path)
        answer = pipeline.client.request(method.upper(), address)
        declared = operation.get("security") == [{"bearer": []}]
        assert (answer.status_code == 401) == declared, f"{method} {path}: {answer.status_code}"
        if declared:
            secured += 1
            assert answer.headers["WWW-Authenticate"] == "Bearer"
            assert {"401", "403"} <= set(operation["responses"])
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
    assert secured > 30


def test_files_pages_and_the_stream_declare_their_media_types(pipeline: Pipeline) -> None:
    paths = pipeline.client.get("/openapi.json").json()["paths"]

    def media(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert media("/api/scores/export") == {xlsx, "text/csv"}
    assert {"text/html", "application/json"} <= media("/api/reports/bulletin")
    assert media("/api/scores/stream") == {"text/event-stream"}
    assert xlsx in media("/api/surveys/{survey_id}/results")
    assert "image/jpeg" in media("/api/submissions/{submission_id}/photos/{index}")


def test_a_nul_in_the_address_is_refused_as_the_document_says(pipeline: Pipeline) -> None:
    # PostgreSQL stores no NUL: refused before any query, on SQLite as well (found by the
    # schemathesis test, which sent one to /api/audit)
    document = pipeline.client.get("/openapi.json").json()
    subject = document["paths"]["/api/audit"]["get"]["parameters"][0]["schema"]["anyOf"][0]
    assert subject["pattern"] == "^[^\\x00]*$"
    token = pipeline.user("孙伟", role="admin")
    answer = pipeline.get("/api/audit", token, subject="a\x00b")
    assert answer.status_code == 422 and "NUL" in answer.json()["detail"]
    removed = pipeline.client.delete("/api/lexicon/a%00b",  # in the path too
                                     headers={"Authorization": f"Bearer {token}"})
    assert removed.status_code == 422
    # the site search cleans its own query of control characters (its document has no pattern)
    assert pipeline.get("/api/search", token, q="工业\x00").status_code == 200
    assert pipeline.get("/api/audit", token, subject="ab").status_code == 200
