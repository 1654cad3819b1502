"""The handler's desk discipline: a claim keeps a second person off a letter, claims and every
action are on the audit log, a handler is made with the command line and belongs to a unit."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from entrypoints.cli import cli
from services.audit import AuditEntry
from tests.mailbox_support import mailbox_city
from tests.support import Pipeline


def test_a_claimed_letter_is_refused_to_a_second_moderator_until_released(
        pipeline: Pipeline) -> None:
    m = mailbox_city(pipeline)
    p = pipeline
    other = p.user("吴芳", role="moderator")
    m.write()
    p.settle()
    letter = p.get("/api/letters", m.centre).json()["items"][0]["id"]
    claimed = p.post(f"/api/letters/{letter}/claim", m.centre)
    assert claimed.status_code == 200 and claimed.json()["expires_at"]
    row = p.get("/api/letters", other).json()["items"][0]
    assert row["claimed_by_name"] == "周敏"
    refused = p.post(f"/api/letters/{letter}/assign", other, {"unit": "industry"})
    assert refused.status_code == 409 and "周敏" in refused.json()["detail"]
    assert p.post(f"/api/letters/{letter}/claim", other).status_code == 409
    assert p.client.delete(f"/api/letters/{letter}/claim",
                           headers={"Authorization": f"Bearer {m.centre}"}).status_code == 200
    assert p.post(f"/api/letters/{letter}/assign", other, {"unit": "industry"}
                  ).status_code == 200
    with p.ctx.db.session() as session:
        actions = [e.action for e in session.scalars(
            sa.select(AuditEntry).where(AuditEntry.subject == f"letter/{letter}")
            .order_by(AuditEntry.id))]
    assert actions[:3] == ["letter.claim", "letter.claim.release", "letter.assign"]


def test_a_handler_is_made_on_the_command_line_and_needs_a_unit(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.unit("industry", "市经信委工业科", "department")
    monkeypatch.setenv("BAOSONG_DATA_DIR", str(pipeline.ctx.settings.data_dir))
    monkeypatch.setenv("BAOSONG_DATABASE_URL", pipeline.ctx.settings.database_url)
    made = CliRunner().invoke(cli, ["users", "add", "刘洋", "--role", "handler",
                                    "--unit", "industry"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert pipeline.get("/api/letters", token).json()["items"] == []
    refused = CliRunner().invoke(cli, ["users", "add", "无单位", "--role", "handler"])
    assert refused.exit_code != 0 and "办理单位" in refused.output


def test_the_desk_page_is_for_the_centre_and_handlers_only(pipeline: Pipeline) -> None:
    m = mailbox_city(pipeline)
    c = pipeline.client
    assert c.get("/letters", follow_redirects=False).status_code in (302, 303, 307)
    for token, status in ((m.handler, 200), (m.centre, 200), (m.informant, 403)):
        c.cookies.clear()
        nonce = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
        assert nonce is not None
        signed = c.post("/login", data={"token": token, "csrf": nonce.group(1)},
                        follow_redirects=False)
        assert signed.status_code in (302, 303), signed.text
        page = c.get("/letters", follow_redirects=False)
        assert page.status_code == status
    public = c.get("/mailbox")
    assert public.status_code == 200 and "公共信箱" in public.text
    assert c.get("/mailbox/lookup").status_code == 200


def test_a_signed_in_informant_writes_as_their_unit(pipeline: Pipeline) -> None:
    m = mailbox_city(pipeline)
    p = pipeline
    written = p.client.post("/api/letters", headers={"Authorization": f"Bearer {m.informant}"},
                            data={"type": "suggestion", "subject": "建议简化技改备案",
                                  "body": "建议把技改备案改为网上一次办理。",
                                  "phone": "13600002222"})
    assert written.status_code == 201, written.text
    p.settle()
    (row,) = p.get("/api/letters", m.centre).json()["items"]
    case = p.get(f"/api/letters/{row['id']}", m.centre).json()
    assert case["writer_unit"] == "huayuan" and case["contact"]["name"] == "陈静"
    assert case["enterprise"] == "华远机械股份有限公司"
    bad = p.client.post("/api/letters", headers={"Authorization": "Bearer bs_not-a-token"},
                        data={"type": "consult", "subject": "x", "body": "y", "name": "z",
                              "phone": "13600002222"})
    assert bad.status_code == 401  # a token that was meant to count and does not


def test_the_deadline_job_runs_from_the_command_line(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    m = mailbox_city(pipeline)
    m.write()
    pipeline.settle()
    monkeypatch.setenv("BAOSONG_DATA_DIR", str(pipeline.ctx.settings.data_dir))
    monkeypatch.setenv("BAOSONG_DATABASE_URL", pipeline.ctx.settings.database_url)
    done = CliRunner().invoke(cli, ["letters", "check-deadlines"])
    assert done.exit_code == 0, done.output
    assert "督办 (escalated): 0" in done.output  # nothing is late yet
