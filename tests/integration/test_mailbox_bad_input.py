"""Bad letters and bad actions get a clear 4xx and change nothing; the rate limits hold under a
burst of concurrent requests, on PostgreSQL across clients."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ingest.letters.models import Letter
from moderation.letters.models import LetterCase
from services.outbox import OutboxMessage
from services.settings import Settings
from tests.mailbox_support import mailbox_city
from tests.support import Pipeline, photo

GOOD = {"type": "consult", "subject": "技改补贴申报条件", "body": "请问今年的技改补贴怎样申报？",
        "name": "王芳", "phone": "13800001111", "consent": "false"}


def _state(p: Pipeline) -> tuple[int, int, list[str]]:
    with p.ctx.db.session() as session:
        letters = session.scalar(sa.select(sa.func.count()).select_from(Letter)) or 0
        events = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.type.startswith("letter."))) or 0
        states = [c.state for c in session.scalars(sa.select(LetterCase))]
    return letters, events, states


def _stored_objects(p: Pipeline) -> list[str]:
    return list(p.ctx.uploads.list("letters/"))


BAD_FORMS: list[tuple[str, dict[str, Any], list[tuple[str, tuple[str, bytes, str]]], int]] = [
    ("no type", {**GOOD, "type": ""}, [], 422),
    ("unknown type", {**GOOD, "type": "praise"}, [], 422),
    ("no subject", {**GOOD, "subject": ""}, [], 422),
    ("subject too long", {**GOOD, "subject": "长" * 101}, [], 422),
    ("no body", {**GOOD, "body": ""}, [], 422),
    ("body too long", {**GOOD, "body": "长" * 5001}, [], 413),
    ("no name", {**GOOD, "name": ""}, [], 422),
    ("no phone", {**GOOD, "phone": ""}, [], 422),
    ("phone of letters", {**GOOD, "phone": "call me"}, [], 422),
    ("bad e-mail", {**GOOD, "email": "not-an-address"}, [], 422),
    ("consent neither yes nor no", {**GOOD, "consent": "maybe"}, [], 422),
    ("honeypot filled", {**GOOD, "website": "http://spam.example"}, [], 422),
    ("a text file", GOOD, [("attachments", ("a.txt", b"hello", "text/plain"))], 415),
    ("a photo that is not one", GOOD,
     [("attachments", ("fake.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg"))], 415),
    ("an empty file", GOOD, [("attachments", ("e.pdf", b"", "application/pdf"))], 422),
    ("a file in the wrong field", GOOD, [("photos", ("p.jpg", photo(), "image/jpeg"))], 422),
    ("too many files", GOOD,
     [("attachments", (f"{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
      for i in range(6)], 413),
    ("a file too large", GOOD,
     [("attachments", ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF",
                       "application/pdf"))], 413),
]


def test_a_bad_letter_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    # one pipeline for every case (a pipeline each would cost a second apiece), with room for
    # all of them under the address limit (every attempt counts against it)
    pipeline = Pipeline(Settings(data_dir=tmp_path / "var",  # type: ignore[call-arg]
                                 letter_address_limit=100, _env_file=None))
    try:
        _refuse_every_bad_form(pipeline)
    finally:
        pipeline.close()


def _refuse_every_bad_form(pipeline: Pipeline) -> None:
    for why, form, files, status in BAD_FORMS:
        answer = pipeline.client.post("/api/letters", data=form, files=files or None)
        assert answer.status_code == status, (why, answer.text)
        detail = answer.json()["detail"]
        assert isinstance(detail, str) and "(" in detail, why  # Chinese, then the English
        assert _state(pipeline) == (0, 0, []), why
        assert _stored_objects(pipeline) == [], why


def test_unreadable_requests_are_refused(pipeline: Pipeline) -> None:
    c = pipeline.client
    assert c.post("/api/letters", json=GOOD).status_code == 415
    broken = c.post("/api/letters", content=b"--x\r\nbroken",
                    headers={"content-type": "multipart/form-data; boundary=x"})
    assert broken.status_code in (400, 422)  # cut short: nothing usable in it
    not_utf8 = c.post("/api/letters", content=b"type=consult&subject=\xff\xfe",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert not_utf8.status_code == 400
    assert _state(pipeline) == (0, 0, [])


def test_bad_actions_are_refused_and_change_nothing(pipeline: Pipeline) -> None:
    m = mailbox_city(pipeline)
    p = pipeline
    answer = m.write(consent=False).json()
    p.settle()
    letter = p.get("/api/letters", m.centre).json()["items"][0]["id"]
    before = _state(p)
    bad = [
        (m.centre, f"/api/letters/{letter}/assign", {"unit": "nowhere"}, 422),
        (m.centre, f"/api/letters/{letter}/assign", {"unit": "huayuan"}, 422),  # an enterprise
        (m.centre, f"/api/letters/{letter}/assign", {}, 422),
        (m.centre, f"/api/letters/{letter}/decline", {"reason": "  "}, 422),
        (m.handler, f"/api/letters/{letter}/assign", {"unit": "industry"}, 404),  # not theirs
        (m.informant, f"/api/letters/{letter}/assign", {"unit": "industry"}, 403),
        (m.centre, f"/api/letters/{letter}/reply", {"text": "答复"}, 403),
        (m.centre, f"/api/letters/{letter}/review", {"action": "approve"}, 409),
        (m.centre, f"/api/letters/{letter}/review", {"action": "publish"}, 422),
        (m.centre, "/api/letters/99999/assign", {"unit": "industry"}, 404),
        (m.centre, "/api/letters/99999999999/assign", {"unit": "industry"}, 422),
        (m.centre, f"/api/letters/{letter}/retract", {"reason": "撤下"}, 409),
        (m.centre, f"/api/letters/{letter}/extension/decision", {"action": "grant"}, 409),
    ]
    for token, path, body, status in bad:
        got = p.post(path, token, body)
        assert got.status_code == status, (path, body, got.text)
    assert p.post(f"/api/letters/{letter}/assign", m.centre, {"unit": "industry"}
                  ).status_code == 200
    assigned = _state(p)
    bad_for_unit = [
        (m.handler, f"/api/letters/{letter}/send-back", {"reason": "不是我们的",
                                                         "suggest": "nowhere"}, 422),
        (m.handler, f"/api/letters/{letter}/send-back", {"reason": "", "suggest": "qingshan"},
         422),
        (m.handler, f"/api/letters/{letter}/extension", {"days": 0, "reason": "材料多"}, 422),
        (m.handler, f"/api/letters/{letter}/reply", {"text": ""}, 422),
        (m.handler2, f"/api/letters/{letter}/reply", {"text": "答复"}, 404),
        (m.handler, f"/api/letters/{letter}/decline", {"reason": "不办"}, 403),
    ]
    for token, path, body, status in bad_for_unit:
        got = p.post(path, token, body)
        assert got.status_code == status, (path, body, got.text)
    assert _state(p) == assigned
    assert assigned[0] == before[0]

    c = p.client
    lookup = {"code": answer["code"], "secret": answer["secret"]}
    assert c.post("/api/letters/lookup/rating", json={**lookup, "rating": "great"}
                  ).status_code == 422
    assert c.post("/api/letters/lookup/rating", json={**lookup, "rating": "satisfied"}
                  ).status_code == 409  # nothing to rate yet
    assert c.post("/api/letters/lookup/supplement", json={**lookup, "text": "材料"}
                  ).status_code == 409  # nothing was asked
    assert c.get("/api/letters/lookup", params={"code": "abc", "secret": "x"}).status_code == 404
    assert c.get("/api/letters/lookup", params={"code": answer["code"]}).status_code == 422
    assert _state(p) == assigned


@pytest.fixture
def limited(tmp_path: Path, pg_url: str) -> Iterator[Pipeline]:
    p = Pipeline(Settings(data_dir=tmp_path / "var", database_url=pg_url,  # type: ignore[call-arg]
                          letter_address_limit=5, letter_phone_limit=2, _env_file=None))
    yield p
    p.close()


def test_the_address_limit_holds_under_a_concurrent_burst(limited: Pipeline) -> None:
    def send(n: int) -> int:
        # a client each, as separate browsers would be (no lifespan: the app is the pipeline's)
        client = TestClient(limited.app)
        form = {**GOOD, "phone": f"1380000{n:04d}", "subject": f"第{n}封来信"}
        return client.post("/api/letters", data=form).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(16)))
    assert sorted(statuses) == [201] * 5 + [429] * 11
    assert _state(limited)[0] == 5


def test_the_phone_limit_and_merging(tmp_path: Path) -> None:
    p = Pipeline(Settings(data_dir=tmp_path / "var", letter_phone_limit=2,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        c = p.client
        first = c.post("/api/letters", data=GOOD)
        assert first.status_code == 201
        again = c.post("/api/letters", data=GOOD)  # the same letter again: merged
        assert again.status_code == 200 and again.json()["merged"]
        assert again.json()["code"] == first.json()["code"] and again.json()["secret"] is None
        assert c.post("/api/letters", data={**GOOD, "subject": "第二个问题"}).status_code == 201
        third = c.post("/api/letters", data={**GOOD, "subject": "第三个问题"})
        assert third.status_code == 429 and "Retry-After" in third.headers
        assert "频繁" in third.json()["detail"]
        assert _state(p)[0] == 2
    finally:
        p.close()


def test_guessing_secrets_is_rate_limited(tmp_path: Path) -> None:
    p = Pipeline(Settings(data_dir=tmp_path / "var", letter_lookup_limit=3,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        code = p.client.post("/api/letters", data=GOOD).json()["code"]
        guesses = [p.client.get("/api/letters/lookup", params={"code": code, "secret": f"X{n}"})
                   .status_code for n in range(5)]
        assert guesses == [404, 404, 404, 429, 429]
    finally:
        p.close()
