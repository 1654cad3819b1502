"""Signing in from a browser: an API token once, then a signed cookie naming a session kept on
the server (never the token itself).

The cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` over HTTPS; pages send a CSRF secret
with every change. One concern a module:

- ``cookie``: the signed session cookie and the login form's nonce (no web framework);
- ``store``: the server-side session rows the cookies name;
- ``csrf``: the check that a change a cookie authenticates comes from one of our pages;
- ``page_user``: who is signed in on a page, and the page each role lands on;
- ``login``: the ``/login`` and ``/logout`` forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import FastAPI

from services import web_pages
from services.component import PageLink
from services.identity import Role
from services.settings import Settings
from services.web_session.cookie import SESSION_COOKIE, SessionCodec, WebSession
from services.web_session.csrf import CsrfMiddleware, same_secret
from services.web_session.login import build_router, safe_next
from services.web_session.page_user import (
    PageUser,
    PageUserDep,
    install_page_errors,
    page_user,
    principal_from_cookies,
    require_page_role,
)

__all__ = ["SESSION_COOKIE", "PageUser", "PageUserDep", "SessionCodec", "WebSession", "install",
           "page_user", "require_page_role", "safe_next", "same_secret"]


def install(app: FastAPI, settings: Settings, landing: Mapping[Role, str],
            nav: Sequence[PageLink] = ()) -> None:
    """Sessions, CSRF checks, the login form, the shared page assets and page errors.
    ``landing`` is the page each role starts at and ``nav`` the pages' navigation bar, as the
    components declare them."""
    codec = SessionCodec(settings.secret, settings.session_hours * 3600)
    app.state.session_codec = codec
    app.state.principal_from_cookies = principal_from_cookies
    app.state.landing_pages = dict(landing)
    app.state.nav_links = tuple(nav)
    app.add_middleware(CsrfMiddleware, codec=codec)
    app.include_router(build_router())
    app.include_router(web_pages.assets_router())
    install_page_errors(app)
