"""The browser session cookie, the login form's nonce, and where a login may send you."""

from __future__ import annotations

import pytest

from services.web_session import SessionCodec, safe_next, same_secret


def test_a_session_cookie_reads_back_its_session_id_and_csrf_secret() -> None:
    codec = SessionCodec("secret", 3600)
    cookie, session = codec.dump("session-id")
    loaded = codec.load(cookie)
    assert loaded == session and loaded is not None and loaded.session_id == "session-id"
    assert len(session.csrf) >= 32
    assert codec.dump("session-id")[1].csrf != session.csrf  # a new secret per sign-in


def test_a_cookie_that_carries_a_token_from_before_signs_nobody_in() -> None:
    from itsdangerous import URLSafeTimedSerializer

    old = URLSafeTimedSerializer("secret", salt="baosong.session").dumps(
        {"t": "bs_token", "c": "x" * 43})
    assert SessionCodec("secret", 3600).load(old) is None


@pytest.mark.parametrize("tamper", [
    lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
    lambda c: "x" + c,
    lambda c: "",
    lambda c: "not.a.cookie",
])
def test_a_tampered_cookie_signs_nobody_in(tamper: object) -> None:
    codec = SessionCodec("secret", 3600)
    cookie, _ = codec.dump("session-id")
    assert codec.load(tamper(cookie)) is None  # type: ignore[operator]


def test_a_cookie_signed_with_another_secret_or_too_old_is_refused() -> None:
    cookie, _ = SessionCodec("secret", 3600).dump("session-id")
    assert SessionCodec("other", 3600).load(cookie) is None
    assert SessionCodec("secret", -1).load(cookie) is None  # past its age


def test_the_login_nonce_must_come_back_in_the_form() -> None:
    codec = SessionCodec("secret", 3600)
    cookie, nonce = codec.login_nonce()
    assert codec.check_login_nonce(cookie, nonce)
    assert not codec.check_login_nonce(cookie, nonce + "x")
    assert not codec.check_login_nonce(None, nonce)
    assert not codec.check_login_nonce(SessionCodec("other", 3600).login_nonce()[0], nonce)


@pytest.mark.parametrize(("value", "expected"), [
    ("/desk", "/desk"), ("/queue?item=3", "/queue?item=3"), (None, None), ("", None),
    ("https://evil.example/", None), ("//evil.example/x", None), ("/\\evil.example", None),
    ("desk", None), ("/desk\r\nSet-Cookie: x=1", None), ("javascript:alert(1)", None),
])
def test_after_login_only_a_path_on_this_site_is_followed(value: str | None,
                                                         expected: str | None) -> None:
    assert safe_next(value) == expected


def test_csrf_secrets_compare_exactly() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abd", "abc")
    assert not same_secret(None, "abc")
    assert not same_secret("", "abc")


def test_the_api_reads_the_session_id_from_the_session_cookie_alone() -> None:
    codec = SessionCodec("secret", 3600)
    cookie, _ = codec.dump("session-id")
    assert codec.session_id_from_cookies({"baosong_session": cookie}) == "session-id"
    assert codec.session_id_from_cookies({"baosong_login": cookie}) is None
    assert codec.session_id_from_cookies({}) is None
