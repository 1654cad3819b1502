"""A letter through the whole mailbox on the embedded pipeline, on SQLite and PostgreSQL:
written, screened, assigned, sent back, reassigned, answered, reviewed, rated, published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.contracts.letters import LetterPublished, LetterReplied, LetterRetracted
from services.inbox import deliver
from services.settings import Settings
from tests.mailbox_support import PHONE, Mailbox, mailbox_city
from tests.support import Pipeline, photo


@pytest.fixture(params=["sqlite", "postgresql"])
def mailbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mailbox]:
    overrides = {}
    if request.param == "postgresql":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    p = Pipeline(Settings(data_dir=tmp_path / "var", _env_file=None,  # type: ignore[call-arg]
                          **overrides))
    try:
        yield mailbox_city(p)
    finally:
        p.close()


def test_a_letter_goes_from_the_writer_to_the_published_answer(mailbox: Mailbox) -> None:
    m, p = mailbox, mailbox.p
    body = f"我公司新厂房的用电报装已两个月没有进展，请帮助协调。联系电话 {PHONE}，我叫张伟。"
    answer = m.write(body=body, files=[("现场.jpg", photo(seed=3), "image/jpeg")])
    assert answer.status_code == 201, answer.text
    code, secret = answer.json()["code"], answer.json()["secret"]
    assert len(code) == 10 and code.isdigit() and secret
    p.settle()
    assert m.lookup(code, secret).json()["status"] == "received"
    assert m.lookup(code, "WRONGSECRET").status_code == 404

    listed = p.get("/api/letters", m.centre).json()["items"]
    assert [row["code"] for row in listed] == [code]
    letter = listed[0]["id"]
    assert "contact" not in listed[0]  # the list shows no contact details

    assert p.post(f"/api/letters/{letter}/assign", m.centre,
                  {"unit": "qingshan"}).status_code == 200
    p.settle()
    assert p.get(f"/api/letters/{letter}", m.handler).status_code == 404  # not theirs yet
    sent = p.post(f"/api/letters/{letter}/send-back", m.handler2,
                  {"reason": "用电报装不属于县局职责", "suggest": "industry"})
    assert sent.status_code == 200, sent.text
    p.settle()
    assert p.get(f"/api/letters/{letter}", m.handler2).status_code == 404
    assert p.post(f"/api/letters/{letter}/assign", m.centre,
                  {"unit": "industry"}).status_code == 200
    p.settle()
    seen = p.get(f"/api/letters/{letter}", m.handler).json()
    assert seen["contact"]["phone"] == PHONE and seen["unit"] == "industry"
    assert seen["attachments"][0]["content_type"] == "image/jpeg"
    assert p.get(seen["attachments"][0]["url"], m.handler).status_code == 200
    # the writer's own phone number in the letter is no advertising
    assert not [f for f in seen["findings_list"] if f["rule"].startswith("pattern:")]

    assert p.post(f"/api/letters/{letter}/reply", m.handler,
                  {"text": "已协调供电公司，本周内上门勘查。如有问题请致电 0571-88886666。"}
                  ).status_code == 200
    p.settle()
    assert m.lookup(code, secret).json()["reply"] is None  # the centre has not approved it yet
    assert p.post(f"/api/letters/{letter}/review", m.centre,
                  {"action": "approve", "reason": ""}).status_code == 200
    p.settle()
    view = m.lookup(code, secret).json()
    assert view["status"] == "replied" and "上门勘查" in view["reply"] and view["can_rate"]
    assert view["url"] and view["url"].endswith(f"mailbox/{code}.html")

    page = p.ctx.site.get_bytes(f"mailbox/{code}.html").decode()
    assert "用电报装" in page and "上门勘查" in page
    assert PHONE not in page and "张伟" not in page and "88886666" not in page
    assert "华远机械" not in page  # the writer did not choose to name the enterprise
    assert code in p.ctx.site.get_bytes("mailbox/index.html").decode()

    rated = p.client.post("/api/letters/lookup/rating",
                          json={"code": code, "secret": secret, "rating": "satisfied"})
    assert rated.status_code == 200, rated.text
    p.settle()
    assert m.lookup(code, secret).json()["status"] == "closed"

    month = view["received"][:7]
    stats = p.get("/api/letters/stats", m.admin, month=month).json()
    (industry,) = stats["units"]
    assert industry["unit"] == "industry" and industry["received"] == 1
    assert industry["answered"] == 1 and industry["on_time"] == 1
    assert industry["satisfaction_rate"] == 1.0 and industry["reply_rate"] == 1.0

    retracted = p.post(f"/api/letters/{letter}/retract", m.centre, {"reason": "来信人要求撤下"})
    assert retracted.status_code == 200
    p.settle()
    with pytest.raises(FileNotFoundError):
        p.ctx.site.get_bytes(f"mailbox/{code}.html")
    assert m.lookup(code, secret).json()["url"] is None


def test_unsatisfied_sends_the_letter_back_once_then_closes(mailbox: Mailbox) -> None:
    m, p = mailbox, mailbox.p
    answer = m.write(type="consult", consent=False).json()
    code, secret = answer["code"], answer["secret"]
    p.settle()
    letter = p.get("/api/letters", m.centre).json()["items"][0]["id"]
    p.post(f"/api/letters/{letter}/assign", m.centre, {"unit": "industry"})
    for round_ in range(2):
        assert p.post(f"/api/letters/{letter}/reply", m.handler,
                      {"text": f"第{round_ + 1}次答复"}).status_code == 200
        assert p.post(f"/api/letters/{letter}/review", m.centre,
                      {"action": "approve"}).status_code == 200
        p.settle()
        assert p.client.post("/api/letters/lookup/rating", json={
            "code": code, "secret": secret, "rating": "unsatisfied"}).status_code == 200
        p.settle()
    case = p.get(f"/api/letters/{letter}", m.centre).json()
    assert case["status"] == "closed" and case["reopened"] == 1
    assert m.lookup(code, secret).json()["url"] is None  # no consent: never published
    stats = p.get("/api/letters/stats", m.centre, month=case["received"][:7]).json()
    assert stats["units"][0]["reopened"] == 1 and stats["units"][0]["satisfaction_rate"] == 0.0


def _approved_answer(m: Mailbox) -> tuple[int, str, str]:
    """A letter assigned, answered and the answer approved, the approval's events not yet
    relayed: the letter, its code and its secret."""
    p = m.p
    answer = m.write().json()
    p.settle()
    letter = p.get("/api/letters", m.centre).json()["items"][0]["id"]
    p.post(f"/api/letters/{letter}/assign", m.centre, {"unit": "industry"})
    p.settle()
    assert p.post(f"/api/letters/{letter}/reply", m.handler,
                  {"text": "已协调供电公司上门勘查。"}).status_code == 200
    p.settle()
    assert p.post(f"/api/letters/{letter}/review", m.centre,
                  {"action": "approve"}).status_code == 200
    return letter, answer["code"], answer["secret"]


def test_a_retraction_that_reaches_the_publisher_before_the_answer_keeps_it_off_the_site(
        mailbox: Mailbox) -> None:
    """The centre takes an answer off seconds after approving it; processes relaying the
    outbox side by side deliver the retraction to the publisher first. The answer that follows
    must not go up."""
    m, p = mailbox, mailbox.p
    letter, code, secret = _approved_answer(m)
    assert p.post(f"/api/letters/{letter}/retract", m.centre,
                  {"reason": "答复有误，撤下重答"}).status_code == 200
    (replied,), (retracted,) = p.pending(LetterReplied.TYPE), p.pending(LetterRetracted.TYPE)
    publisher = p.subscription("publisher-letters")
    assert deliver(p.ctx.db, publisher, retracted)
    assert deliver(p.ctx.db, publisher, replied)
    p.settle()  # the bus brings both again: the inbox drops them
    with pytest.raises(FileNotFoundError):
        p.ctx.site.get_bytes(f"mailbox/{code}.html")
    try:  # (no letter has been on the site: the column's index may not be written yet)
        index = p.ctx.site.get_bytes("mailbox/index.html").decode()
    except FileNotFoundError:
        index = ""
    assert code not in index
    assert m.lookup(code, secret).json()["url"] is None


def test_the_writer_sees_the_newest_step_whatever_order_its_events_arrive_in(
        mailbox: Mailbox) -> None:
    """The page goes up, then the centre takes it off: the retraction (moderation's outbox)
    reaches ingest before the publication (the publisher's). The writer is shown no address."""
    m, p = mailbox, mailbox.p
    letter, code, secret = _approved_answer(m)
    (replied,) = p.pending(LetterReplied.TYPE)
    assert deliver(p.ctx.db, p.subscription("publisher-letters"), replied)
    (published,) = p.pending(LetterPublished.TYPE)
    assert p.post(f"/api/letters/{letter}/retract", m.centre,
                  {"reason": "来信人要求撤下"}).status_code == 200
    (retracted,) = p.pending(LetterRetracted.TYPE)
    for event in (retracted, replied, published):
        assert deliver(p.ctx.db, p.subscription("ingest-letters"), event)
    view = m.lookup(code, secret).json()
    assert view["status"] == "replied" and view["url"] is None
    assert "上门勘查" in view["reply"]
