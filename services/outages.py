"""Outages: the database or the broker out of reach for a while, which every loop waits out.

An outage is expected (a restart, a failover, a network blip) and its recovery path retries on
its own, so it gets one log line with the cause. Anything else is a fault to look into and gets
the full traceback.
"""

from __future__ import annotations

import logging
import socket

import sqlalchemy.exc

try:  # the broker's own errors, where a broker client is installed
    import amqp.exceptions
    import kombu.exceptions
    _BROKER: tuple[type[BaseException], ...] = (kombu.exceptions.OperationalError,
                                                amqp.exceptions.ConnectionError,
                                                amqp.exceptions.RecoverableConnectionError)
except ImportError:  # pragma: no cover - both ship with the package's dependencies
    _BROKER = ()

OUTAGES: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
    ConnectionError, socket.timeout, TimeoutError, *_BROKER)


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGES)


def cause(exc: BaseException) -> str:
    """The first line of what went wrong, from the driver's error where there is one."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0]}" if text else type(inner).__name__


def log_failure(log: logging.Logger, exc: BaseException, message: str, *args: object) -> None:
    """Log ``message`` for ``exc``: one line for an outage, the traceback for anything else."""
    if is_outage(exc):
        log.warning(message + " (%s)", *args, cause(exc))
    else:
        log.error(message, *args, exc_info=exc)
