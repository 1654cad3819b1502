"""The signed cookies of a browser session: the session itself, and the login form's nonce.

The session cookie holds a random session id and a CSRF secret, signed and time-stamped with
``itsdangerous`` under ``settings.secret``; never the API token. The id names a server-side row
(``store``) that signing out deletes, so a copied cookie stops working with it. The CSRF secret
rides in the cookie so that the CSRF check needs no database.

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
    session_id: str
    csrf: str


class SessionCodec:
    """Writes and reads the session and login-form cookies."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self.max_age = max_age_seconds
        self._session = URLSafeTimedSerializer(secret, salt="baosong.session")
        self._login = URLSafeTimedSerializer(secret, salt="baosong.login")

    def dump(self, session_id: str) -> tuple[str, WebSession]:
        session = WebSession(session_id=session_id, csrf=secrets.token_urlsafe(32))
        return self._session.dumps({"s": session.session_id, "c": session.csrf}), session

    def load(self, cookie: str) -> WebSession | None:
        try:
            raw = self._session.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(raw, dict):
            return None
        # a cookie from before sessions were kept on the server ("t": the token) reads as none
        session_id, csrf = raw.get("s"), raw.get("c")
        if not isinstance(session_id, str) or not isinstance(csrf, str) or not session_id \
                or not csrf:
            return None
        return WebSession(session_id=session_id, csrf=csrf)

    def session_id_from_cookies(self, cookies: Mapping[str, str]) -> str | None:
        """The session id a request's session cookie carries, if it is one of ours."""
        cookie = cookies.get(SESSION_COOKIE)
        session = self.load(cookie) if cookie else None
        return session.session_id if session else None

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
