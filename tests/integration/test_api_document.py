"""The OpenAPI document tells the truth (issue 15, item 16, in part): a bearer security scheme on
every operation that needs a token, and the error answers in the shape they are sent."""

from __future__ import annotations

from tests.conftest import City


def test_the_document_declares_the_bearer_scheme_and_the_error_answers(city: City) -> None:
    p = city.pipeline
    document = p.client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    upload = document["paths"]["/api/submissions"]["post"]
    assert upload["security"] == [{"bearer": []}]
    assert {"401", "403", "409", "413", "415", "422", "503"} <= set(upload["responses"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "security" not in document["paths"]["/healthz"]["get"]
    assert "404" in document["paths"]["/api/submissions/{submission_id}"]["get"]["responses"]
    # the 422 declared is the one sent: {"detail": [{"field", "message"}]}
    sent = p.post("/api/moderation/1/decision", city.moderator, {"action": "maybe"})
    assert sent.status_code == 422
    problem = sent.json()["detail"][0]
    shape = document["components"]["schemas"]["Invalid"]["properties"]["detail"]
    declared = shape["oneOf"][1]["items"]["required"]
    assert set(declared) <= set(problem)
    refused = p.post("/api/submissions/1/lead", city.informant)
    assert refused.status_code == 403 and isinstance(refused.json()["detail"], str)
