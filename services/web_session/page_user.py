"""Who is signed in on a page, and where each role lands.

A page asks for :data:`PageUserDep`: a visitor who is not signed in is sent to ``/login`` (and
back afterwards), one whose role the page is not for sees a "forbidden" page with a link to
their own. Each component declares the page its roles land on (``Component.landing``); the
kernel names none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from services import refusals, web_pages
from services.http import get_context
from services.identity import Principal, Role, Unit
from services.web_session import store
from services.web_session.cookie import SESSION_COOKIE, SessionCodec, WebSession

ROLE_LABELS = {Role.INFORMANT: "信息员", Role.MODERATOR: "审核员", Role.ADMIN: "管理员",
               Role.HANDLER: "办理人员"}
NO_LANDING = "/"  # a role no component has a page for starts at the site's home


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


def codec_of(request: Request) -> SessionCodec:
    codec: SessionCodec = request.app.state.session_codec
    return codec


def landing_page(request: Request, role: Role) -> str:
    """The page ``role`` starts at, as the components declared it."""
    landing: Mapping[Role, str] = request.app.state.landing_pages
    return landing.get(role, NO_LANDING)


def landing_pages(request: Request) -> dict[Role, str]:
    return {role: landing_page(request, role) for role in Role}


def session_of(request: Request) -> WebSession | None:
    """The session the request's cookie names (signature checked; not yet the server's row)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return codec_of(request).load(cookie) if cookie else None


def _signed_in_principal(request: Request) -> tuple[Principal, WebSession] | None:
    session = session_of(request)
    if session is None:
        return None
    context = get_context(request)
    principal = store.lookup(context.db, session.session_id, context.settings.token_days)
    return (principal, session) if principal is not None else None


def principal_from_cookies(request: Request) -> Principal | None:
    """The API's identity check, for a request with no Authorization header: who its session
    cookie signs in; a cookie whose session has ended is refused, saying so."""
    found = _signed_in_principal(request)
    if found is not None:
        return found[0]
    if request.cookies.get(SESSION_COOKIE):
        raise refusals.Unauthenticated("登录已过期或已退出，请重新登录 (the session has ended)",
                                       headers={"WWW-Authenticate": "Bearer"})
    return None


def signed_in(request: Request) -> PageUser | None:
    found = _signed_in_principal(request)
    if found is None:
        return None
    principal, session = found
    with get_context(request).db.session() as db:
        unit = db.get(Unit, principal.unit) if principal.unit else None
        unit_name = unit.name if unit else ""
    return PageUser(principal=principal, csrf=session.csrf, unit_name=unit_name)


def page_user(request: Request) -> PageUser:
    """The signed-in user of a page; a visitor who is not signed in is sent to ``/login``."""
    user = signed_in(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


PageUserDep = Annotated[PageUser, Depends(page_user)]


def require_page_role(user: PageUser, page: str, *roles: Role) -> None:
    if user.principal.role not in roles:
        raise PageForbidden(user, page, roles)


def install_page_errors(app: FastAPI) -> None:
    """A page's visitor not signed in goes to ``/login``; one in the wrong role is told so."""

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden) -> Response:
        return web_pages.render(
            request, "forbidden.html", status=403, user=exc.user, csrf=exc.user.csrf,
            page=exc.page, needed="、".join(ROLE_LABELS[r] for r in exc.roles),
            home=landing_page(request, exc.user.principal.role))
