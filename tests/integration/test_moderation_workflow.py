"""Claims, separation of duties, decisions bound to what was screened, bulk decisions, reason
templates, the revision diff and the audit log, through the HTTP API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from moderation.models import Review
from services.outbox import OutboxMessage
from services.settings import Settings
from tests.conftest import City
from tests.support import photo


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Claims take row locks and the audit log is guarded by triggers: run on both databases."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)

FLAGGED_BODY = "青山县举办招商推介会，详情咨询电话：0571-88776655。"


def flagged(city: City, token: str | None = None, title: str = "招商推介会",
            body: str = FLAGGED_BODY) -> int:
    p = city.pipeline
    sid: int = p.upload(token or city.informant, title=title, body=body).json()["id"]
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.admin).json()["status"] == "flagged"
    return sid


def delete(city: City, path: str, token: str) -> object:
    return city.pipeline.client.delete(path, headers={"Authorization": f"Bearer {token}"})


def test_a_claimed_item_is_refused_to_every_other_moderator(city: City) -> None:
    p = city.pipeline
    second = p.user("吴芳", role="moderator")
    sid = flagged(city)
    claim = p.post(f"/api/moderation/{sid}/claim", city.moderator)
    assert claim.status_code == 200 and claim.json()["claimed_by_name"] == "周敏"
    queue = p.get("/api/moderation/queue", second).json()["items"]
    assert queue[0]["claimed_by_name"] == "周敏" and queue[0]["claim_expires_at"]

    assert p.post(f"/api/moderation/{sid}/claim", second).status_code == 409
    refused = p.post(f"/api/moderation/{sid}/decision", second,
                     {"action": "approve"})
    assert refused.status_code == 409 and "周敏" in refused.json()["detail"]
    assert delete(city, f"/api/moderation/{sid}/claim", second).status_code == 409
    assert p.get(f"/api/moderation/{sid}", second).json()["state"] == "flagged"

    renewed = p.post(f"/api/moderation/{sid}/claim", city.moderator)  # the holder renews
    assert renewed.status_code == 200
    decided = p.post(f"/api/moderation/{sid}/decision", city.moderator,
                     {"action": "return", "reason": "请删去联系方式"})
    assert decided.status_code == 200
    entries = p.get("/api/audit", city.admin, subject=f"submission/{sid}").json()["entries"]
    assert [e["action"] for e in entries] == ["decision.return", "claim"]  # no renewal noise
    assert entries[0]["reason"] == "请删去联系方式" and entries[0]["actor_name"] == "周敏"


def test_a_lapsed_claim_can_be_taken_and_the_log_says_whose_it_was(city: City) -> None:
    p = city.pipeline
    second = p.user("吴芳", role="moderator")
    sid = flagged(city)
    p.post(f"/api/moderation/{sid}/claim", city.moderator)
    with p.ctx.db.transaction() as session:
        session.get(Review, sid).claim_expires_at = (  # type: ignore[union-attr]
            dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert p.get("/api/moderation/queue", second).json()["items"][0]["claimed_by"] is None
    taken = p.post(f"/api/moderation/{sid}/claim", second)
    assert taken.status_code == 200 and taken.json()["claimed_by_name"] == "吴芳"
    last = p.get("/api/audit", city.admin, subject=f"submission/{sid}").json()["entries"][0]
    assert last["action"] == "claim" and last["details"]["lapsed_claim_of"] is not None
    assert p.post(f"/api/moderation/{sid}/decision", city.moderator,
                  {"action": "approve"}).status_code == 409
    released = delete(city, f"/api/moderation/{sid}/claim", second)
    assert released.status_code == 200
    assert p.post(f"/api/moderation/{sid}/decision", city.moderator,
                  {"action": "approve"}).status_code == 200


def test_nobody_decides_an_item_from_their_own_unit(city: City) -> None:
    p = city.pipeline
    local_editor = p.user("钱进", role="moderator", unit="qingshan")
    own = flagged(city)
    other = flagged(city, city.informant2, title="临江区推介会")
    queue = {i["id"]: i for i in p.get("/api/moderation/queue", local_editor).json()["items"]}
    assert queue[own]["recused"] and not queue[other]["recused"]
    assert p.post(f"/api/moderation/{own}/claim", local_editor).status_code == 403
    refused = p.post(f"/api/moderation/{own}/decision", local_editor, {"action": "approve"})
    assert refused.status_code == 403 and "本单位" in refused.json()["detail"]
    assert p.post(f"/api/moderation/{other}/decision", local_editor,
                  {"action": "approve"}).status_code == 200


def test_nobody_decides_an_item_they_sent(city: City) -> None:
    p = city.pipeline
    sid = flagged(city)
    with p.ctx.db.transaction() as session:  # the informant later became an editor
        from services.identity import User
        session.execute(sa.update(User).where(User.name == "王晓明")
                        .values(role="moderator", unit_slug=None))
    refused = p.post(f"/api/moderation/{sid}/decision", city.informant, {"action": "approve"})
    assert refused.status_code == 403 and "自己报送" in refused.json()["detail"]


def test_an_approval_is_bound_to_the_content_that_was_screened(city: City) -> None:
    p = city.pipeline
    sid = flagged(city)
    screened = p.get(f"/api/moderation/{sid}", city.moderator).json()["content_hash"]
    assert len(screened) == 64
    stale = p.post(f"/api/moderation/{sid}/decision", city.moderator,
                   {"action": "approve", "content_hash": "0" * 64})
    assert stale.status_code == 409
    assert p.post(f"/api/moderation/{sid}/decision", city.moderator,
                  {"action": "approve", "content_hash": screened}).status_code == 200
    with p.ctx.db.session() as session:
        approvals = [json.loads(m.payload) for m in session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "submission.approved"))]
    assert [a["data"]["approved_hash"] for a in approvals] == [screened]
    entry = p.get("/api/audit", city.admin, subject=f"submission/{sid}").json()["entries"][0]
    assert entry["details"]["content_hash"] == screened
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["status"] == "published"


def test_bulk_decisions_report_each_item_and_skip_the_claimed_one(city: City) -> None:
    p = city.pipeline
    second = p.user("吴芳", role="moderator")
    first, claimed, third = (flagged(city, title=f"推介会{n}") for n in range(3))
    p.post(f"/api/moderation/{claimed}/claim", second)
    answer = p.post("/api/moderation/decisions", city.moderator, {
        "action": "reject", "reason": "含有广告或商业推广内容，不予采用。",
        "items": [{"id": first}, {"id": claimed}, {"id": third}, {"id": 999}]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["decided"] == 2 and body["refused"] == 2
    codes = {r["id"]: r["code"] for r in body["results"]}
    assert codes == {first: 200, claimed: 409, third: 200, 999: 404}
    assert p.post("/api/moderation/decisions", city.moderator, {
        "action": "reject", "items": [{"id": claimed}]}).status_code == 422  # no reason
    assert p.post("/api/moderation/decisions", city.moderator, {
        "action": "return", "reason": "x", "items": [{"id": claimed}]}).status_code == 422
    p.settle()
    assert p.get(f"/api/submissions/{first}", city.informant).json()["status"] == "rejected"
    audit = p.get("/api/audit", city.admin, subject=f"submission/{third}").json()["entries"]
    assert audit[0]["details"]["bulk"] is True


def test_queue_filters_by_age_and_order_and_counts_every_category(city: City) -> None:
    p = city.pipeline
    old = flagged(city, title="旧稿")
    new = flagged(city, city.informant2, title="新稿", body="欢迎订购，加微信 abc12345 咨询。")
    with p.ctx.db.transaction() as session:
        session.get(Review, old).screened_at = (  # type: ignore[union-attr]
            dt.datetime.now(dt.UTC) - dt.timedelta(hours=30))
    queue = p.get("/api/moderation/queue", city.moderator).json()
    assert [i["id"] for i in queue["items"]] == [old, new]
    assert queue["items"][0]["waiting_seconds"] >= 30 * 3600
    newest = p.get("/api/moderation/queue", city.moderator, order="newest").json()
    assert [i["id"] for i in newest["items"]] == [new, old]
    aged = p.get("/api/moderation/queue", city.moderator, older_than_hours=24).json()
    assert [i["id"] for i in aged["items"]] == [old]
    one_unit = p.get("/api/moderation/queue", city.moderator, unit="linjiang").json()
    assert [i["id"] for i in one_unit["items"]] == [new]
    by_category = p.get("/api/moderation/queue", city.moderator, category="advertising").json()
    assert by_category["counts"] == {"advertising": 2}
    assert p.get("/api/moderation/queue", city.moderator,
                 older_than_hours=-1).status_code == 422


def test_reason_templates_are_shared_and_editable(city: City) -> None:
    p = city.pipeline
    reasons = p.get("/api/moderation/reasons", city.moderator).json()["reasons"]
    assert {r["action"] for r in reasons} == {"approve", "reject", "return"}
    added = p.post("/api/moderation/reasons", city.moderator,
                   {"action": "return", "text": "请把标题改得更简明。"})
    assert added.status_code == 201
    rid = added.json()["id"]
    edited = p.client.put(f"/api/moderation/reasons/{rid}", json={"text": "请精简标题。"},
                          headers={"Authorization": f"Bearer {city.moderator}"})
    assert edited.status_code == 200 and edited.json()["updated_by"] == "周敏"
    texts = [r["text"] for r in p.get("/api/moderation/reasons", city.admin).json()["reasons"]]
    assert "请精简标题。" in texts
    assert delete(city, f"/api/moderation/reasons/{rid}", city.moderator).status_code == 200
    assert delete(city, f"/api/moderation/reasons/{rid}", city.moderator).status_code == 404
    assert p.get("/api/moderation/reasons", city.informant).status_code == 403
    assert p.post("/api/moderation/reasons", city.moderator,
                  {"action": "return", "text": ""}).status_code == 422
    actions = [e["action"] for e in p.get("/api/audit", city.admin).json()["entries"]]
    assert actions[:3] == ["reason.remove", "reason.edit", "reason.add"]


def test_a_revision_is_shown_against_the_returned_version(city: City) -> None:
    p = city.pipeline
    pictures = [photo(seed=1), photo(seed=2)]
    sid = p.upload(city.informant, title="项目签约", body="签约金额5亿元。" + FLAGGED_BODY,
                   photos=pictures, captions=["签约现场", "项目效果图"]).json()["id"]
    p.settle()
    p.post(f"/api/moderation/{sid}/decision", city.moderator,
           {"action": "return", "reason": "请删去联系方式"})
    p.settle()
    revised = p.upload(city.informant, title="项目签约仪式", body="签约金额5.2亿元。",
                       photos=[pictures[1], photo(size=(800, 500), seed=3)],
                       captions=["项目效果图", "补拍"], path=f"/api/submissions/{sid}/revision")
    new = revised.json()["id"]
    p.settle()
    assert p.get(f"/api/moderation/{new}", city.moderator).json()["revision_of"] == sid
    diff = p.get(f"/api/moderation/{new}/diff", city.moderator).json()
    assert diff["against"] == sid and diff["original"]["reason"] == "请删去联系方式"
    assert ("insert", "仪式") in [tuple(op) for op in diff["title"]]
    body_ops = [tuple(op) for op in diff["body"]]
    assert ("insert", ".2") in body_ops
    assert any(tag == "delete" and "0571-88776655" in text for tag, text in body_ops)
    assert [r["change"] for r in diff["photos"]] == ["kept", "added", "removed"]
    assert p.get(f"/api/moderation/{sid}/diff", city.moderator).status_code == 404
    assert p.get(f"/api/moderation/{new}/diff", city.informant).status_code == 403


def test_an_informant_can_fetch_only_their_own_units_original_photos(city: City) -> None:
    p = city.pipeline
    picture = photo(seed=5)
    sid = p.upload(city.informant, kind="photo", title="园区全景", photos=[picture],
                   filenames=["园区.jpg"]).json()["id"]
    mine = p.get(f"/api/submissions/{sid}/photos/0", city.informant)
    assert mine.status_code == 200 and mine.content == picture
    assert mine.headers["content-type"] == "image/jpeg"
    assert p.get(f"/api/submissions/{sid}/photos/0", city.informant2).status_code == 404
    assert p.get(f"/api/submissions/{sid}/photos/1", city.informant).status_code == 404
    assert p.get(f"/api/submissions/{sid}/photos/0", city.moderator).status_code == 200


def test_the_audit_log_cannot_be_changed_through_the_api_or_the_database(city: City) -> None:
    p = city.pipeline
    sid = flagged(city)
    p.post(f"/api/moderation/{sid}/decision", city.moderator, {"action": "approve"})
    p.settle()
    p.post(f"/api/submissions/{sid}/retract", city.moderator, {"reason": "数据有误"})
    entries = p.get("/api/audit", city.admin).json()["entries"]
    assert [e["action"] for e in entries[:2]] == ["retract", "decision.approve"]
    assert entries[0]["reason"] == "数据有误" and entries[0]["at"]
    entry = entries[0]["id"]
    headers = {"Authorization": f"Bearer {city.admin}"}
    for method in ("PUT", "PATCH", "DELETE"):
        for path in ("/api/audit", f"/api/audit/{entry}"):
            answer = p.client.request(method, path, json={"reason": "改"}, headers=headers)
            assert answer.status_code in (404, 405)
    assert p.post("/api/audit", city.admin, {"action": "x"}).status_code == 405
    assert p.get("/api/audit", city.moderator).status_code == 403
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        try:
            with p.ctx.db.transaction() as session:
                session.execute(sa.text(statement))
        except sa.exc.DBAPIError:
            continue
        raise AssertionError(f"the database allowed: {statement}")
    assert p.get("/api/audit", city.admin).json()["entries"] == entries
