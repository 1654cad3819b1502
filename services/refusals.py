"""Refusals: what a component says when it will not do what it was asked.

Component logic raises these and knows nothing of HTTP; the web edge maps each kind to its
status in one place (``services.http``), a command prints the message, a job logs it, a bulk
action records it per item. The message is what the person reads: Chinese first, the English
after it in brackets.
"""

from __future__ import annotations

from collections.abc import Mapping


class Refusal(Exception):
    """The request was understood and refused; nothing was changed.

    ``reason`` is a short code of a fixed vocabulary (the kind of refusal, or a finer one given
    where the refusal is made, such as ``photo_too_large``): what operators count refusals by.
    The message, which may hold what the person sent, is never a metric's label.
    """

    reason = "refused"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers) if headers else None
        if reason is not None:
            self.reason = reason


class Malformed(Refusal):
    """The request cannot be read at all (a broken multipart body, text that is not UTF-8)."""

    reason = "malformed"


class Invalid(Refusal):
    """The request can be read, but a value in it is wrong or missing."""

    reason = "invalid"


class Unauthenticated(Refusal):
    """Nobody we know is asking (no token, a bad one, an expired session)."""

    reason = "unauthenticated"


class Forbidden(Refusal):
    """Someone we know is asking for what they may not do."""

    reason = "forbidden"


class NotFound(Refusal):
    """What was asked for is not there (or not there for this person)."""

    reason = "not_found"

    @classmethod
    def of(cls, what: str = "资源") -> NotFound:
        return cls(f"没有找到该{what} (not found)")


class Conflict(Refusal):
    """The request clashes with the state things are in (already decided, claimed, repeated)."""

    reason = "conflict"


class TooLarge(Refusal):
    """More bytes, items or characters than the limits (settings) allow."""

    reason = "too_large"


class Unsupported(Refusal):
    """A kind of content we do not take (a file type, a media type)."""

    reason = "unsupported"


class TooMany(Refusal):
    """Too many requests from this client or writer in the window a setting sets."""

    reason = "too_many"
