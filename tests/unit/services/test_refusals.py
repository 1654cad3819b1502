"""Each kind of refusal answers with its one status, its message and its headers."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from moderation.lexicon import LexiconError
from services import refusals
from services.http import STATUS_OF, install_error_handlers, status_of

KINDS = [
    (refusals.Malformed, 400), (refusals.Unauthenticated, 401), (refusals.Forbidden, 403),
    (refusals.NotFound, 404), (refusals.Conflict, 409), (refusals.TooLarge, 413),
    (refusals.Unsupported, 415), (refusals.Invalid, 422), (refusals.TooMany, 429),
]


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_each_kind_of_refusal_maps_to_its_status(kind: type[refusals.Refusal],
                                                 status: int) -> None:
    assert status_of(kind("不行 (no)")) == status


def test_every_kind_of_refusal_has_a_status() -> None:
    family = {kind for kind in vars(refusals).values() if isinstance(kind, type)
              and issubclass(kind, refusals.Refusal) and kind is not refusals.Refusal}
    assert family == set(STATUS_OF) == {k for k, _ in KINDS}


def test_a_component_s_own_refusal_answers_as_the_kind_it_is() -> None:
    assert status_of(LexiconError("词条太短 (too short)")) == 422
    assert status_of(refusals.Refusal("无法处理 (refused)")) == 400


def test_not_found_names_what_is_missing() -> None:
    assert refusals.NotFound.of("稿件").message == "没有找到该稿件 (not found)"


def _app(refusal: refusals.Refusal) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refused")
    def refused() -> None:
        raise refusal

    return TestClient(app)


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_the_http_edge_answers_a_refusal_with_its_status_and_message(
        kind: type[refusals.Refusal], status: int) -> None:
    answer = _app(kind("稿件已处理 (already decided)")).get("/refused")
    assert answer.status_code == status
    assert answer.json() == {"detail": "稿件已处理 (already decided)"}


def test_a_refusal_s_headers_go_out_with_it() -> None:
    refusal = refusals.Unauthenticated("请先登录 (sign in)", headers={"WWW-Authenticate": "Bearer"})
    answer = _app(refusal).get("/refused")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
