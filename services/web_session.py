"""Signing in from a browser: an API token once, then a signed session cookie.

The cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS) holds the token and a CSRF
secret, signed and time-stamped with ``itsdangerous`` under ``settings.secret``. Holding the
token itself (not a server-side session id) keeps every request's identity check the one the
API already makes: a deactivated user is signed out on the next request, and a forged cookie
would still need a valid token inside it.

Cookies are sent by the browser on its own, so any request that is authenticated by the cookie
and changes something must prove it comes from one of our pages: the page carries the CSRF
secret in a ``<meta>`` tag and sends it back in the ``X-CSRF-Token`` header (scripts) or a
``csrf`` form field (the login and logout forms). Requests with an ``Authorization`` header are
not affected: a browser never adds that header to a cross-site request on its own.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Receive, Scope, Send

from services import web_pages
from services.http import SESSION_COOKIE, get_context
from services.identity import Principal, Role, Unit, authenticate
from services.settings import Settings

LOGIN_COOKIE = "baosong_login"  # the login form's own CSRF nonce, before there is a session
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# the two forms that carry the CSRF secret in a form field and check it themselves
FORM_PATHS = frozenset({"/login", "/logout"})
LOGIN_FORM_SECONDS = 3600
HOME_BY_ROLE = {Role.INFORMANT: "/desk", Role.MODERATOR: "/queue", Role.ADMIN: "/queue",
                Role.HANDLER: "/letters"}
ROLE_LABELS = {Role.INFORMANT: "信息员", Role.MODERATOR: "审核员", Role.ADMIN: "管理员",
               Role.HANDLER: "办理人员"}


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
        """The hook ``services.http`` calls to authenticate a request by its cookie."""
        session = self.load(cookie)
        return session.token if session else None

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


def _codec(request: Request) -> SessionCodec:
    codec: SessionCodec = request.app.state.session_codec
    return codec


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
                or scope["path"] in FORM_PATHS:
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


# --- pages: who is signed in ------------------------------------------------------------------

@dataclass(frozen=True)
class PageUser:
    principal: Principal
    csrf: str
    unit_name: str = ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.principal.role, self.principal.role.value)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    def __init__(self, user: PageUser, page: str, roles: tuple[Role, ...]) -> None:
        super().__init__(page)
        self.user, self.page, self.roles = user, page, roles


def _signed_in(request: Request) -> PageUser | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    session = _codec(request).load(cookie) if cookie else None
    if session is None:
        return None
    with get_context(request).db.session() as db:
        principal = authenticate(db, session.token)
        if principal is None:
            return None
        unit = db.get(Unit, principal.unit) if principal.unit else None
    return PageUser(principal=principal, csrf=session.csrf, unit_name=unit.name if unit else "")


def page_user(request: Request) -> PageUser:
    """The signed-in user of a page; a visitor who is not signed in is sent to ``/login``."""
    user = _signed_in(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


PageUserDep = Annotated[PageUser, Depends(page_user)]


def require_page_role(user: PageUser, page: str, *roles: Role) -> None:
    if user.principal.role not in roles:
        raise PageForbidden(user, page, roles)


def safe_next(value: str | None) -> str | None:
    """A path on this site to go to after signing in, or None (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 0x20 for c in value):
        return None
    return value


# --- the login and logout forms -------------------------------------------------------------------

def _secure(request: Request) -> bool:
    settings: Settings = get_context(request).settings
    return request.url.scheme == "https" or settings.base_url.startswith("https://")


def _login_page(request: Request, *, error: str = "", next_path: str | None = None,
                status: int = 200) -> HTMLResponse:
    cookie, nonce = _codec(request).login_nonce()
    found = _signed_in(request)
    response = web_pages.render(request, "login.html", status=status, csrf=nonce, error=error,
                                next_path=next_path or "",
                                current=found.principal if found else None,
                                role_labels=ROLE_LABELS, home_by_role=HOME_BY_ROLE)
    response.set_cookie(LOGIN_COOKIE, cookie, max_age=LOGIN_FORM_SECONDS, httponly=True,
                        samesite="strict", secure=_secure(request), path="/login")
    return response


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/login")
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        return _login_page(request, next_path=safe_next(next))

    @router.post("/login")
    def login(request: Request, token: Annotated[str, Form(max_length=300)] = "",
              csrf: Annotated[str, Form(max_length=200)] = "",
              next: Annotated[str, Form(max_length=2000)] = "") -> Response:
        codec = _codec(request)
        next_path = safe_next(next)
        if not codec.check_login_nonce(request.cookies.get(LOGIN_COOKIE), csrf):
            return _login_page(request, next_path=next_path, status=403,
                               error="登录表单已过期，请重新输入令牌 (the form expired)")
        token = token.strip()
        if not token:
            return _login_page(request, next_path=next_path, status=422,
                               error="请输入 API 令牌 (token is required)")
        with get_context(request).db.session() as db:
            principal = authenticate(db, token)
        if principal is None:
            return _login_page(request, next_path=next_path, status=401,
                               error="令牌无效或已停用 (invalid token)")
        value, _ = codec.dump(token)
        response = RedirectResponse(next_path or HOME_BY_ROLE[principal.role], status_code=303)
        response.set_cookie(SESSION_COOKIE, value, max_age=codec.max_age, httponly=True,
                            samesite="lax", secure=_secure(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        session = _codec(request).load(cookie) if cookie else None
        if session is not None and not same_secret(csrf, session.csrf):
            return JSONResponse({"detail": "退出请求无效，请刷新页面后重试 (wrong CSRF token)"},
                                status_code=403)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router


def install(app: FastAPI, settings: Settings) -> None:
    """Sessions, CSRF checks, the login form, the shared page assets and page errors."""
    codec = SessionCodec(settings.secret, settings.session_hours * 3600)
    app.state.session_codec = codec
    app.state.read_session_cookie = codec.token
    app.add_middleware(CsrfMiddleware, codec=codec)
    app.include_router(build_router())
    app.include_router(web_pages.assets_router())

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden) -> Response:
        return web_pages.render(
            request, "forbidden.html", status=403, user=exc.user, csrf=exc.user.csrf,
            page=exc.page, needed="、".join(ROLE_LABELS[r] for r in exc.roles),
            home=HOME_BY_ROLE[exc.user.principal.role])
