"""The CSRF check: a change a cookie authenticates must prove it comes from one of our pages.

Cookies are sent by the browser on its own, so any request that is authenticated by the cookie
and changes something must carry the session's CSRF secret: the page holds it in a ``<meta>``
tag and sends it back in the ``X-CSRF-Token`` header (scripts) or a ``csrf`` form field (the
login and logout forms, which check it themselves). Requests with an ``Authorization`` header
are not affected: a browser never adds that header to a cross-site request on its own.
"""

from __future__ import annotations

import hmac
import re
from http.cookies import CookieError, SimpleCookie

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.web_session.cookie import SESSION_COOKIE, SessionCodec, WebSession

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# the two forms that carry the CSRF secret in a form field and check it themselves
FORM_PATHS = frozenset({"/login", "/logout"})
# public forms that read no session: a signed-in visitor answering a survey is not refused for
# want of the CSRF secret (the request is not authenticated by the cookie: nothing to forge)
PUBLIC_POSTS = re.compile(r"^/surveys/[0-9]+$|^/api/surveys/[0-9]+/ballots$")


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF secret sent back with the one in the session."""
    if not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class CsrfMiddleware:
    """Refuses a cookie-authenticated request that changes something without the CSRF secret.

    Pure ASGI, so that streamed uploads pass through untouched (only headers are read).
    """

    def __init__(self, app: ASGIApp, codec: SessionCodec) -> None:
        self.app = app
        self.codec = codec

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS \
                or scope["path"] in FORM_PATHS \
                or (scope["method"] == "POST" and PUBLIC_POSTS.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if "authorization" in headers:
            await self.app(scope, receive, send)
            return
        session = self._session(headers.get("cookie", ""))
        if session is not None and not same_secret(headers.get(CSRF_HEADER), session.csrf):
            response = JSONResponse({"detail": "页面已过期或请求来源不明，请刷新页面后重试 "
                                               "(missing or wrong CSRF token)"}, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _session(self, cookie_header: str) -> WebSession | None:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except CookieError:
            return None
        morsel = jar.get(SESSION_COOKIE)
        return self.codec.load(morsel.value) if morsel else None
