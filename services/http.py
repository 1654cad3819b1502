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

from fastapi import Depends, FastAPI, Path, Query, Request
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
            return check_token(session, token, context.settings.token_days,
                               timezone=context.settings.timezone)
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


# Addresses whose text the route cleans itself: the site search drops control characters
NUL_CLEANED = frozenset({"/api/search", "/search"})


def refuse_nul(request: Request) -> None:
    """A NUL character in the address is refused on every database alike (PostgreSQL can store
    none), before any query reads it; the document says so of every parameter (NO_NUL)."""
    if request.url.path in NUL_CLEANED:
        return
    values = [*request.query_params.values(), *map(str, request.path_params.values())]
    if any("\x00" in value for value in values):
        raise refusals.Invalid("地址中不能含有 NUL 字符 (the address holds a NUL character)")


NO_NUL = "^[^\\x00]*$"

# Ids in paths fit the database's integer: a larger number is a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# Months and periods in queries, in the document as the code takes them ([0-9], not \d, which
# a regular expression may read as any script's digits); years 1900-2100, as a calendar holds.
YEAR = "((19|20)[0-9][0-9]|2100)"
MONTH = f"^{YEAR}-(0[1-9]|1[0-2])$"
MonthQuery = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM")]
PeriodQuery = Annotated[str | None, Query(pattern=f"^{YEAR}(-(0[1-9]|1[0-2]))?$|^all$",
                                          description="YYYY-MM、YYYY 或 all")]


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


# --- what the OpenAPI document says of the answers --------------------------------------------
# Every operation's common error answers (422, 503; 401 and 403 where it needs a token; 404 where
# its path names a thing) are added in one place, bootstrap.api_docs; a route adds only what is
# its own, with ``responses=answers(...)``: an error it gives besides those, or the media types
# of a body that is not JSON.

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGES = ("image/jpeg", "image/png", "image/webp")

ERROR_ANSWERS: dict[int, str] = {
    400: "请求无法读取 (malformed request)",
    401: "缺少或无效的 API 令牌 (missing or invalid token)",
    403: "无权进行该操作 (forbidden)",
    404: "没有找到 (not found)",
    409: "与当前状态冲突 (conflict)",
    413: "超过上限 (too large)",
    415: "不接受的内容类型 (unsupported media type)",
    422: "数据无效 (invalid data)",
    429: "请求过于频繁，见 Retry-After (too many requests)",
    503: "数据库暂时无法访问，见 Retry-After (unavailable)",
}


# A JSON Schema pattern for text that str.strip leaves something of (the code refuses the rest)
NOT_BLANK = "[^\\s\\x1c-\\x1f\\x85]"


def reason_required(*actions: str) -> dict[str, Any]:
    """``json_schema_extra`` of a decision: a ``reason`` with some text is required for these
    actions (what the code refuses with a 422 otherwise). Blank is what ``str.strip`` removes."""
    return {"if": {"properties": {"action": {"enum": list(actions)}}, "required": ["action"]},
            "then": {"required": ["reason"], "properties": {
                "reason": {"pattern": NOT_BLANK}}}}


HEADERS_SENT: dict[int, dict[str, Any]] = {  # always sent with these answers
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "enum": ["Bearer"]}}},
    503: {"Retry-After": {"required": True, "description": "秒 (seconds)",
                          "schema": {"type": "integer", "minimum": 0}}},
}


def error_answer(code: int) -> dict[str, Any]:
    """One error answer as sent: ``{"detail": …}``, as a 422 from validation sends it too."""
    shape = "Invalid" if code == 422 else "Refusal"
    answer: dict[str, Any] = {"description": ERROR_ANSWERS[code], "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}}}
    if code in HEADERS_SENT:
        answer["headers"] = HEADERS_SENT[code]
    return answer


def answers(*codes: int, media: tuple[str, ...] = (),
            status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error answers it gives beyond the common ones, and the
    media types its ``status`` answer comes in besides JSON (a file, a page, an event stream).
    A route that never answers JSON says ``response_class=Response`` so none is declared."""
    declared: dict[int | str, dict[str, Any]] = {code: error_answer(code) for code in codes}
    if media:
        declared[status] = {"description": "成功 (success)", "content": {
            kind: {"schema": {"type": "string"} if kind.startswith("text/")
                   else {"type": "string", "format": "binary"}} for kind in media}}
    return declared
