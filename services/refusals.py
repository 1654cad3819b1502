"""Refusals: what a component says when it will not do what it was asked.

Component logic raises these and knows nothing of HTTP; the web edge maps each kind to its
status in one place (``services.http``), a command prints the message, a job logs it, a bulk
action records it per item. The message is what the person reads: Chinese first, the English
after it in brackets.
"""

from __future__ import annotations

from collections.abc import Mapping


class Refusal(Exception):
    """The request was understood and refused; nothing was changed."""

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers) if headers else None


class Malformed(Refusal):
    """The request cannot be read at all (a broken multipart body, text that is not UTF-8)."""


class Invalid(Refusal):
    """The request can be read, but a value in it is wrong or missing."""


class Unauthenticated(Refusal):
    """Nobody we know is asking (no token, a bad one, an expired session)."""


class Forbidden(Refusal):
    """Someone we know is asking for what they may not do."""


class NotFound(Refusal):
    """What was asked for is not there (or not there for this person)."""

    @classmethod
    def of(cls, what: str = "资源") -> NotFound:
        return cls(f"没有找到该{what} (not found)")


class Conflict(Refusal):
    """The request clashes with the state things are in (already decided, claimed, repeated)."""


class TooLarge(Refusal):
    """More bytes, items or characters than the limits (settings) allow."""


class Unsupported(Refusal):
    """A kind of content we do not take (a file type, a media type)."""


class TooMany(Refusal):
    """Too many requests from this client or writer in the window a setting sets."""
