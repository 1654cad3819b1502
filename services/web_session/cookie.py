"""The signed cookies of a browser session: the session itself, and the login form's nonce.

The session cookie holds the API token and a CSRF secret, signed and time-stamped with
``itsdangerous`` under ``settings.secret``. Holding the token itself (not a server-side session
id) keeps every request's identity check the one the API already makes: a deactivated user is
signed out on the next request, and a forged cookie would still need a valid token inside it.

No web framework here: the codec writes and reads strings.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "baosong_session"
LOGIN_COOKIE = "baosong_login"  # the login form's own CSRF nonce, before there is a session
LOGIN_FORM_SECONDS = 3600


@dataclass(frozen=True)
class WebSession:
    token: str
    csrf: str


class SessionCodec:
    """Writes and reads the session and login-form cookies."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self.max_age = max_age_seconds
        self._session = URLSafeTimedSerializer(secret, salt="baosong.session")
        self._login = URLSafeTimedSerializer(secret, salt="baosong.login")

    def dump(self, token: str) -> tuple[str, WebSession]:
        session = WebSession(token=token, csrf=secrets.token_urlsafe(32))
        return self._session.dumps({"t": session.token, "c": session.csrf}), session

    def load(self, cookie: str) -> WebSession | None:
        try:
            raw = self._session.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(raw, dict):
            return None
        token, csrf = raw.get("t"), raw.get("c")
        if not isinstance(token, str) or not isinstance(csrf, str) or not token or not csrf:
            return None
        return WebSession(token=token, csrf=csrf)

    def token(self, cookie: str) -> str | None:
        session = self.load(cookie)
        return session.token if session else None

    def token_from_cookies(self, cookies: Mapping[str, str]) -> str | None:
        """The hook the API's identity check calls: the token a request's session carries."""
        cookie = cookies.get(SESSION_COOKIE)
        return self.token(cookie) if cookie else None

    def login_nonce(self) -> tuple[str, str]:
        nonce = secrets.token_urlsafe(24)
        return self._login.dumps(nonce), nonce

    def check_login_nonce(self, cookie: str | None, field: str) -> bool:
        if not cookie or not field:
            return False
        try:
            nonce = self._login.loads(cookie, max_age=LOGIN_FORM_SECONDS)
        except BadSignature:
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, field)
