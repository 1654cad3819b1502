"""No secret in an address, nor in a log.

An address is kept in browser history, bookmarks, proxies' and servers' access logs and other
sites' ``Referer`` headers, so an API token never travels in one: browsers sign in at ``/login``
and send the session cookie, scripts send ``Authorization: Bearer``. A request that still puts
a token in its address is refused (400) rather than ignored: ignoring it would let an old link
or script go on spreading the token, with nothing to tell its owner why it seems signed out.

Whatever reaches a log anyway (the mailbox's lookup secret, which its public address carries; an
old bookmark; an ``Authorization`` header in an error message) is redacted by
:class:`RedactSecrets`, a filter on the access log and the root handlers.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.identity import TOKEN_PREFIX

# query fields an address must not carry: they name a credential
REFUSED_FIELDS = frozenset({"token", "access_token", "api_key", "apikey"})
# query fields whose value a log must not show (the refused ones, and secrets the interface
# does carry in an address)
SECRET_FIELDS = REFUSED_FIELDS | {"secret", "password", "code_secret", "session"}
REDACTED = "[已隐去]"

_QUERY_VALUE = re.compile(
    r"(?P<key>[?&;](?:" + "|".join(sorted(SECRET_FIELDS)) + r")=)(?P<value>[^&;#\s\"']*)",
    re.IGNORECASE)
_BEARER = re.compile(r"(?P<key>\b(?:authorization\s*[:=]\s*)?(?:bearer|basic)\s+)"
                     r"(?P<value>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE)
_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """``text`` with every credential-like value replaced by a mark."""
    text = _QUERY_VALUE.sub(lambda m: m["key"] + REDACTED, text)
    text = _BEARER.sub(lambda m: m["key"] + REDACTED, text)
    return _TOKEN.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and arguments so that no credential reaches a handler.

    The arguments are redacted one by one and kept a tuple: the access log's formatter
    unpacks them (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


_FILTER = RedactSecrets()
# the loggers whose records carry addresses: the server's access log, and its errors
ADDRESS_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn")


def install_log_redaction() -> None:
    """Put the filter on the loggers that print addresses and on every handler of the root
    logger (a filter on a logger does not see its children's records; one on a handler
    does). Safe to call again: a filter is added once."""
    for name in ADDRESS_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


class RefuseSecretsInAddress:
    """Refuses (400) a request whose address carries a token; pure ASGI, headers only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            query = scope["query_string"].decode("latin-1")
            fields = {k.lower() for k, _ in parse_qsl(query, keep_blank_values=True)}
            if fields & REFUSED_FIELDS:
                response = JSONResponse(
                    {"detail": "令牌不能放在网址中：浏览器请在 /login 登录后使用，脚本请用 "
                               "Authorization: Bearer 请求头；这个令牌已在网址中出现过，"
                               "请让管理员用 baosong users rotate 更换 (a token never goes in "
                               "an address: sign in at /login, or send an Authorization "
                               "header)"}, status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
