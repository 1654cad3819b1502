"""Tokens in addresses and logs (issue 15, item 3): the session cookie names a server-side
session and not the token; signing out ends it on the server; tokens expire, and the command
line revokes and rotates them; no address carries a token."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.identity import User
from services.web_session.store import WebSessionRow
from tests.conftest import City
from tests.integration.test_web_sign_in import sign_in


def _cookie_payload(cookie: str) -> str:
    """What a signed cookie says to anyone who reads it (signed, not encrypted)."""
    head = cookie.split(".")[0]
    return base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()


def _baosong(city: City, *args: str) -> list[str]:
    baosong = str(Path(sys.executable).with_name("baosong"))
    settings = city.pipeline.ctx.settings
    env = {"BAOSONG_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin",
           "BAOSONG_DATABASE_URL": settings.database_url}
    done = subprocess.run([baosong, *args], env=env, capture_output=True, text=True,
                          timeout=120, check=True, cwd=settings.data_dir.parent)
    return done.stdout.strip().splitlines()


def test_the_session_cookie_carries_a_session_id_and_not_the_token(city: City) -> None:
    browser, _ = sign_in(city, city.informant)
    cookie = browser.cookies["baosong_session"]
    said = json.loads(_cookie_payload(cookie))
    assert city.informant not in cookie and city.informant not in json.dumps(said)
    assert set(said) == {"s", "c"}
    with city.pipeline.ctx.db.session() as db:
        row = db.scalars(sa.select(WebSessionRow)).one()
    assert row.id_hash != said["s"] and len(row.id_hash) == 64  # only a hash is kept
    assert row.created_at <= row.last_seen_at < row.expires_at
    assert row.expires_at - row.created_at == dt.timedelta(hours=12)


def test_a_cookie_kept_from_before_signing_out_signs_nobody_in(city: City) -> None:
    browser, csrf = sign_in(city, city.informant)
    copied = browser.cookies["baosong_session"]
    assert browser.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    with city.pipeline.ctx.db.session() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(WebSessionRow)) == 0
    thief = TestClient(city.pipeline.app, cookies={"baosong_session": copied})
    refused = thief.get("/api/submissions")
    assert refused.status_code == 401 and "登录已过期或已退出" in refused.json()["detail"]
    assert thief.get("/desk", follow_redirects=False).status_code == 303


def _age_token(city: City, name: str, days: int) -> None:
    with city.pipeline.ctx.db.transaction() as db:
        db.execute(sa.update(User).where(User.name == name).values(
            token_issued_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days)))


def test_an_expired_token_is_refused_saying_so(city: City) -> None:
    p = city.pipeline
    browser, _ = sign_in(city, city.informant)
    _age_token(city, "王晓明", 179)
    assert p.get("/api/submissions", city.informant).status_code == 200  # within 180 days
    _age_token(city, "王晓明", 181)
    answer = p.get("/api/submissions", city.informant)
    assert answer.status_code == 401 and "过期" in answer.json()["detail"]
    assert "过期" in TestClient(p.app).post("/login", data={"token": city.informant}).text
    assert browser.get("/api/submissions").status_code == 401  # its session ends with it


def test_the_token_lifetime_is_a_setting(city: City) -> None:
    p = city.pipeline
    _age_token(city, "王晓明", 3)
    assert p.get("/api/submissions", city.informant).status_code == 200
    p.ctx.settings.token_days = 2
    try:
        assert p.get("/api/submissions", city.informant).status_code == 401
    finally:
        p.ctx.settings.token_days = 180


def test_a_revoked_token_is_refused_and_its_sessions_end(city: City) -> None:
    p = city.pipeline
    browser, _ = sign_in(city, city.informant)
    said = _baosong(city, "users", "revoke", "王晓明")
    assert "已吊销" in said[-1] and "结束 1 个登录" in said[-1]
    answer = p.get("/api/submissions", city.informant)
    assert answer.status_code == 401 and "吊销" in answer.json()["detail"]
    assert browser.get("/api/submissions").status_code == 401
    assert p.get("/api/submissions", city.informant2).status_code == 200  # nobody else's


def test_rotating_gives_a_working_new_token_and_kills_the_old(city: City) -> None:
    p = city.pipeline
    browser, _ = sign_in(city, city.moderator)
    said = _baosong(city, "users", "rotate", "周敏")
    new = said[-1]
    assert new.startswith("bs_") and new != city.moderator
    assert p.get("/api/moderation/queue", new).status_code == 200
    assert p.get("/api/moderation/queue", city.moderator).status_code == 401
    assert browser.get("/api/moderation/queue").status_code == 401  # signed in with the old
    sign_in(city, new)


def test_revoking_a_name_nobody_has_says_so(city: City) -> None:
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _baosong(city, "users", "revoke", "无此人")
    assert failed.value.returncode == 2 and "没有用户" in failed.value.stderr


@pytest.mark.parametrize("address", [
    "/dashboard?token={t}", "/api/scores/stream?token={t}", "/api/reports/bulletin?token={t}",
    "/api/scores?period=2026&access_token={t}", "/desk?TOKEN={t}",
])
def test_an_address_with_a_token_is_refused_with_a_reason(city: City, address: str) -> None:
    answer = TestClient(city.pipeline.app).get(address.format(t=city.admin))
    assert answer.status_code == 400
    assert "令牌不能放在网址中" in answer.json()["detail"] and "/login" in answer.json()["detail"]


def test_the_dashboard_and_the_bulletin_open_with_the_session_cookie(city: City) -> None:
    visitor = TestClient(city.pipeline.app)
    answer = visitor.get("/dashboard", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/dashboard"
    browser, _ = sign_in(city, city.admin)
    page = browser.get("/dashboard")
    assert page.status_code == 200 and "Authorization" not in page.text \
        and "token=" not in page.text
    assert browser.get("/api/dashboard").status_code == 200
    bulletin = browser.get("/api/reports/bulletin")
    assert bulletin.status_code == 200 and "text/html" in bulletin.headers["content-type"]


def test_a_browser_opening_the_bulletin_signed_out_is_sent_to_sign_in_and_back(
        city: City) -> None:
    visitor = TestClient(city.pipeline.app)
    navigate = {"Sec-Fetch-Mode": "navigate"}  # what a browser says of its own navigations
    opened = visitor.get("/api/reports/bulletin?month=2026-11", headers=navigate,
                         follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/login?next=/api/reports/bulletin%3Fmonth%3D2026-11"
    script = visitor.get("/api/reports/bulletin?month=2026-11")  # a script: a clear 401
    assert script.status_code == 401 and "请先登录" in script.json()["detail"]
