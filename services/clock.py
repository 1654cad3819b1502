"""The one clock: aware UTC datetimes (pure, so events and rules can use it)."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
