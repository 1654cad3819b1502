"""The HTTP edge every component's routes share: the context, who is asking, and every error
as JSON ``{"detail": ...}``.

Below the routes, components raise :mod:`services.refusals` and know nothing of HTTP; this is
the one place that turns a refusal into a status code. Messages are Chinese first, the English
after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services import refusals
from services.context import Context
from services.identity import Principal, check_token

log = logging.getLogger(__name__)

# Set by the web session (when the app has one): who a request's session cookie signs in, None
# without one; it refuses a cookie whose session has ended.
PrincipalFromCookies = Callable[[Request], Principal | None]


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


ContextDep = Annotated[Context, Depends(get_context)]


def _bearer(header: str) -> str:
    # a request that brings an Authorization header is judged by it alone: it never falls back
    # on the session cookie, which is what lets the CSRF check skip such requests (a browser
    # behind an HTTP-auth proxy adds Basic credentials to every request it sends)
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    raise refusals.Unauthenticated("Authorization 头须为 Bearer 令牌 (the Authorization "
                                   "header must carry a bearer token)",
                                   headers={"WWW-Authenticate": "Bearer"})


def _principal(request: Request) -> Principal:
    """A token in the Authorization header (scripts), else the session cookie (browsers).
    Never a token in the address: see :mod:`services.address_secrets`."""
    context = get_context(request)
    header = request.headers.get("authorization")
    if header is not None:
        token = _bearer(header)
        with context.db.session() as session:
            return check_token(session, token, context.settings.token_days)
    from_cookies: PrincipalFromCookies | None = getattr(request.app.state,
                                                        "principal_from_cookies", None)
    # (the hook itself refuses a session cookie whose session has ended, saying so)
    principal = from_cookies(request) if from_cookies is not None else None
    if principal is not None:
        return principal
    raise refusals.Unauthenticated("请先登录：缺少 API 令牌 (missing bearer token)",
                                   headers={"WWW-Authenticate": "Bearer"})


# Declares the bearer scheme in the OpenAPI document (and so the Authorize button of /docs) for
# every operation that authenticates; the header itself is read and judged by _principal.
_BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                     description="API 令牌 (bs_…)，由 baosong users add 发放 (an API token)")
BearerDeclared = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


def current_principal(request: Request, _declared: BearerDeclared = None) -> Principal:
    return _principal(request)


CurrentUser = Annotated[Principal, Depends(current_principal)]

# Ids in paths fit the database's integer: a larger number is a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _validation_message(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        problems.append({"field": where, "message": f"字段 {where} 无效: {error.get('msg')}"})
    return problems


# The one place where a refusal becomes an HTTP status.
STATUS_OF: dict[type[refusals.Refusal], int] = {
    refusals.Malformed: 400,
    refusals.Unauthenticated: 401,
    refusals.Forbidden: 403,
    refusals.NotFound: 404,
    refusals.Conflict: 409,
    refusals.TooLarge: 413,
    refusals.Unsupported: 415,
    refusals.Invalid: 422,
    refusals.TooMany: 429,
}


def status_of(refusal: refusals.Refusal) -> int:
    for kind in type(refusal).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


def _browser_opening(request: Request) -> bool:
    """A browser's own navigation to this address (not a script, not a page's fetch): browsers
    say so in ``Sec-Fetch-Mode``, which scripts and pages cannot set."""
    return request.method == "GET" and "authorization" not in request.headers \
        and request.headers.get("sec-fetch-mode") == "navigate"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(refusals.Refusal)
    async def refused(request: Request, exc: refusals.Refusal) -> Response:
        if isinstance(exc, refusals.Unauthenticated) and _browser_opening(request):
            # a person opened an address (the 通报, an export) without being signed in: the
            # sign-in page, and back here afterwards, rather than a line of JSON
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        return JSONResponse({"detail": exc.message}, status_code=status_of(exc),
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(DataError)
    async def refused_by_the_database(request: Request, exc: DataError) -> JSONResponse:
        # The database refuses a value no check caught before it (a NUL character, which
        # PostgreSQL never stores, say): the input is at fault, and nothing was written.
        log.warning("database refused a value from %s %s: %s", request.method, request.url.path,
                    exc.orig)
        return JSONResponse({"detail": "提交的数据含有无法保存的字符或数值 "
                                       "(the data holds characters or numbers that cannot be "
                                       "stored)"}, status_code=422)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(SATimeoutError)
    async def database_out_of_reach(request: Request, exc: Exception) -> JSONResponse:
        # the database is down or unreachable (or, embedded, locked too long): an outage the
        # client should wait out, not a fault in this request; one line, no traceback
        cause = getattr(exc, "orig", None) or exc
        log.warning("database out of reach for %s %s: %s", request.method, request.url.path,
                    str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause))
        retry = get_context(request).settings.outage_retry_after_seconds
        return JSONResponse({"detail": "数据库暂时无法访问，请稍后重试 "
                                       "(the database is unavailable, try again shortly)"},
                            status_code=503, headers={"Retry-After": str(retry)})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = "没有这个地址 (not found)"
        elif exc.status_code == 405:
            detail = "不支持该请求方法 (method not allowed)"
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
