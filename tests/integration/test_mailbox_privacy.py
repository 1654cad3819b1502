"""Who reads a writer's contact details: the centre and the handling unit only, each view on the
audit log; nobody else (every other role, another unit's handler, a wrong secret), and no event
that scoring or the publisher receive carries them."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from services.audit import AuditEntry
from services.outbox import OutboxMessage
from tests.mailbox_support import PHONE, Mailbox, mailbox_city
from tests.support import Pipeline


@pytest.fixture
def assigned(pipeline: Pipeline) -> tuple[Mailbox, int, str, str]:
    m = mailbox_city(pipeline)
    answer = m.write(email="zhangwei@example.com").json()
    pipeline.settle()
    letter = pipeline.get("/api/letters", m.centre).json()["items"][0]["id"]
    assert pipeline.post(f"/api/letters/{letter}/assign", m.centre,
                         {"unit": "industry"}).status_code == 200
    pipeline.settle()
    return m, letter, answer["code"], answer["secret"]


def _views(m: Mailbox, letter: int) -> list[AuditEntry]:
    with m.p.ctx.db.session() as session:
        return list(session.scalars(sa.select(AuditEntry).where(
            AuditEntry.subject == f"letter/{letter}", AuditEntry.action == "letter.view")))


def test_only_the_centre_and_the_handling_unit_see_the_contact_details(
        assigned: tuple[Mailbox, int, str, str]) -> None:
    m, letter, _, _ = assigned
    p = m.p
    before = len(_views(m, letter))
    for token in (m.centre, m.handler):
        seen = p.get(f"/api/letters/{letter}", token)
        assert seen.status_code == 200
        assert seen.json()["contact"] == {"name": "张伟", "phone": PHONE,
                                          "email": "zhangwei@example.com"}
    views = _views(m, letter)
    assert len(views) == before + 2
    assert {v.actor_role for v in views[-2:]} == {"moderator", "handler"}

    refused = {
        "informant": (m.informant, 403), "admin": (m.admin, 403),
        "another unit's handler": (m.handler2, 404),
    }
    for who, (token, status) in refused.items():
        answer = p.get(f"/api/letters/{letter}", token)
        assert answer.status_code == status, who
        assert PHONE not in answer.text, who
        listed = p.get("/api/letters", token)
        assert PHONE not in listed.text, who
        if listed.status_code == 200:
            assert listed.json()["items"] == [], who
        attachment = p.get(f"/api/letters/{letter}/attachments/0", token)
        assert attachment.status_code in (403, 404), who
    assert p.client.get(f"/api/letters/{letter}").status_code == 401
    assert len(_views(m, letter)) == before + 2  # refusals record no view


def test_the_writer_with_a_wrong_secret_sees_nothing(
        assigned: tuple[Mailbox, int, str, str]) -> None:
    m, _, code, secret = assigned
    wrong = m.lookup(code, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert wrong.status_code == 404 and "来信" not in wrong.text
    assert m.lookup(str(int(code) + 1), secret).status_code == 404
    right = m.lookup(code, secret)
    assert right.status_code == 200
    assert PHONE not in right.text and "张伟" not in right.text  # not even to the writer


def test_only_letter_received_carries_contact_details_and_only_moderation_reads_it(
        assigned: tuple[Mailbox, int, str, str]) -> None:
    m, letter, _, _ = assigned
    with m.p.ctx.db.session() as session:
        rows = list(session.scalars(sa.select(OutboxMessage)
                                    .where(OutboxMessage.type.startswith("letter."))))
    assert {r.type for r in rows} >= {"letter.received", "letter.assigned"}
    for row in rows:
        if row.type != "letter.received":
            assert PHONE not in row.payload and "张伟" not in row.payload, row.type
    received = [r for r in rows if r.type == "letter.received"]
    assert json.loads(received[0].payload)["data"]["phone"] == PHONE
    readers = {s.consumer for c in m.p.components for s in c.subscriptions
               if "letter.received" in s.handlers}
    assert readers == {"moderation-letters"}
    assert m.p.get(f"/api/letters/{letter}", m.handler).status_code == 200
