"""Signing in from a browser: the token once, then a session cookie that changes nothing
without the page's CSRF secret."""

from __future__ import annotations

import dataclasses
import re

from fastapi.testclient import TestClient

from bootstrap.web import create_app
from services.identity import Role
from tests.conftest import City

ARTICLE = "11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况。"


def login_form(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def sign_in(city: City, token: str, next_path: str = "") -> tuple[TestClient, str]:
    """A browser of its own, signed in; returns it with the CSRF secret its pages carry."""
    client = TestClient(city.pipeline.app)
    nonce = login_form(client)
    answer = client.post("/login", data={"token": token, "csrf": nonce, "next": next_path},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    home = client.get(answer.headers["location"])
    assert home.status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    return client, csrf


def test_signing_in_sets_an_httponly_samesite_cookie_and_goes_to_the_role_page(
        city: City) -> None:
    client = TestClient(city.pipeline.app)
    nonce = login_form(client)
    answer = client.post("/login", data={"token": city.informant, "csrf": nonce},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/desk"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("baosong_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    moderator, _ = sign_in(city, city.moderator)
    assert moderator.get("/queue").status_code == 200


def test_a_wrong_token_or_a_stale_form_signs_nobody_in(city: City) -> None:
    client = TestClient(city.pipeline.app)
    nonce = login_form(client)
    wrong = client.post("/login", data={"token": "bs_nope", "csrf": nonce},
                        follow_redirects=False)
    assert wrong.status_code == 401 and "令牌无效" in wrong.text
    assert "baosong_session" not in wrong.headers.get("set-cookie", "")
    stranger = TestClient(city.pipeline.app)  # never saw the form: no nonce cookie
    forged = stranger.post("/login", data={"token": city.informant, "csrf": nonce},
                           follow_redirects=False)
    assert forged.status_code == 403 and "baosong_session" not in forged.headers.get(
        "set-cookie", "")
    assert stranger.get("/desk", follow_redirects=False).status_code == 303


def test_pages_send_a_visitor_to_sign_in_and_back(city: City) -> None:
    client = TestClient(city.pipeline.app)
    for page in ("/desk", "/queue"):
        answer = client.get(page, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={page}"
    signed, _ = sign_in(city, city.moderator, next_path="/queue?item=7")
    nonce = login_form(signed)
    again = signed.post("/login", data={"token": city.moderator, "csrf": nonce,
                                        "next": "https://evil.example/"},
                        follow_redirects=False)
    assert again.headers["location"] == "/queue"  # never another site


def test_each_page_is_for_its_role(city: City) -> None:
    informant, _ = sign_in(city, city.informant)
    desk = informant.get("/desk")
    assert "信息员工作台" in desk.text and "青山县经济和信息化局" in desk.text
    assert "script-src 'self'" in desk.headers["content-security-policy"]
    assert desk.headers["cache-control"] == "no-store"
    refused = informant.get("/queue")
    assert refused.status_code == 403 and "审核员" in refused.text
    moderator, _ = sign_in(city, city.moderator)
    assert moderator.get("/desk").status_code == 403
    assert "审核队列" in moderator.get("/queue").text


def test_a_cookie_request_that_changes_something_needs_the_csrf_secret(city: City) -> None:
    p = city.pipeline
    browser, csrf = sign_in(city, city.informant)
    form = {"kind": "article", "title": "跨站请求", "body": ARTICLE}
    forged = browser.post("/api/submissions", data=form)
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    wrong = browser.post("/api/submissions", data=form, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    assert p.get("/api/submissions", city.informant).json()["total"] == 0  # nothing happened
    sent = browser.post("/api/submissions", data=form, headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 202
    assert browser.get(f"/api/submissions/{sent.json()['id']}").status_code == 200
    # a script with a bearer token is not a browser: no CSRF secret needed
    assert p.upload(city.informant, title="脚本报送", body=ARTICLE).status_code == 202


def test_a_request_with_an_authorization_header_is_judged_by_it_alone(city: City) -> None:
    # a browser behind an HTTP-auth proxy adds Basic credentials: the cookie must not count
    p = city.pipeline
    browser, _ = sign_in(city, city.informant)
    form = {"kind": "article", "title": "跨站请求", "body": ARTICLE}
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "bs_" + "x" * 10):
        forged = browser.post("/api/submissions", data=form, headers={"Authorization": header})
        assert forged.status_code == 401, (header, forged.text)
        assert browser.get("/api/submissions", headers={"Authorization": header}) \
            .status_code == 401
    assert p.get("/api/submissions", city.informant).json()["total"] == 0  # nothing happened


def test_signing_out_ends_the_session(city: City) -> None:
    browser, csrf = sign_in(city, city.informant)
    assert browser.post("/logout", data={"csrf": "wrong"}).status_code == 403
    out = browser.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser.get("/api/submissions").status_code == 401
    assert browser.get("/desk", follow_redirects=False).status_code == 303


def test_a_deactivated_user_is_signed_out_on_the_next_request(city: City) -> None:
    import sqlalchemy as sa

    from services.identity import User

    browser, _ = sign_in(city, city.informant2)
    assert browser.get("/api/submissions").status_code == 200
    with city.pipeline.ctx.db.transaction() as session:
        session.execute(sa.update(User).where(User.name == "李娜").values(active=False))
    assert browser.get("/api/submissions").status_code == 401
    assert browser.get("/desk", follow_redirects=False).status_code == 303


def test_a_login_lands_on_the_page_the_component_declares(city: City) -> None:
    """The kernel names no component page: change the declaration and the login follows it."""
    p = city.pipeline
    moved = [dataclasses.replace(c, landing={Role.INFORMANT: "/dashboard"})
             if c.name == "ingest" else c for c in p.components]
    client = TestClient(create_app(p.ctx, moved))
    answer = client.post("/login", data={"token": city.informant, "csrf": login_form(client)},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
    forbidden = client.get("/queue")  # and a page not for their role points there too
    assert forbidden.status_code == 403 and 'href="/dashboard">前往您的页面' in forbidden.text
