"""The login and logout forms: an API token once, then the session cookie; and where a login
lands (the page the user asked for, else the page their role starts at)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from services import web_pages
from services.http import get_context
from services.identity import check_token
from services.refusals import Unauthenticated
from services.settings import Settings
from services.web_session import store
from services.web_session.cookie import LOGIN_COOKIE, LOGIN_FORM_SECONDS, SESSION_COOKIE
from services.web_session.csrf import same_secret
from services.web_session.page_user import (
    ROLE_LABELS,
    codec_of,
    landing_page,
    landing_pages,
    signed_in,
)


def safe_next(value: str | None) -> str | None:
    """A path on this site to go to after signing in, or None (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 0x20 for c in value):
        return None
    return value


def _secure(request: Request) -> bool:
    settings: Settings = get_context(request).settings
    return request.url.scheme == "https" or settings.base_url.startswith("https://")


def _login_page(request: Request, *, error: str = "", next_path: str | None = None,
                status: int = 200) -> HTMLResponse:
    cookie, nonce = codec_of(request).login_nonce()
    found = signed_in(request)
    response = web_pages.render(request, "login.html", status=status, csrf=nonce, error=error,
                                next_path=next_path or "",
                                current=found.principal if found else None,
                                role_labels=ROLE_LABELS, home_by_role=landing_pages(request))
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
        codec = codec_of(request)
        next_path = safe_next(next)
        if not codec.check_login_nonce(request.cookies.get(LOGIN_COOKIE), csrf):
            return _login_page(request, next_path=next_path, status=403,
                               error="登录表单已过期，请重新输入令牌 (the form expired)")
        token = token.strip()
        if not token:
            return _login_page(request, next_path=next_path, status=422,
                               error="请输入 API 令牌 (token is required)")
        settings: Settings = get_context(request).settings
        try:
            with get_context(request).db.session() as db:
                principal = check_token(db, token, settings.token_days,
                                        timezone=settings.timezone)
        except Unauthenticated as refused:  # says why: invalid, expired, revoked
            return _login_page(request, next_path=next_path, status=401, error=refused.message)
        with get_context(request).db.transaction() as db:
            session_id = store.start(db, principal.id, settings.session_hours)
        value, _ = codec.dump(session_id)
        response = RedirectResponse(next_path or landing_page(request, principal.role),
                                    status_code=303)
        response.set_cookie(SESSION_COOKIE, value, max_age=codec.max_age, httponly=True,
                            samesite="lax", secure=_secure(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        session = codec_of(request).load(cookie) if cookie else None
        if session is not None and not same_secret(csrf, session.csrf):
            return JSONResponse({"detail": "退出请求无效，请刷新页面后重试 (wrong CSRF token)"},
                                status_code=403)
        if session is not None:  # the row goes: a copy of the cookie no longer signs anyone in
            with get_context(request).db.transaction() as db:
                store.end(db, session.session_id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
