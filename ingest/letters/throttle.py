"""Rate limits for the public mailbox, counted in the database so they hold across processes.

A fixed window per key: the counter row of the current window is incremented by an UPDATE, which
the database serialises, so a burst of concurrent requests cannot all read "under the limit".
Windows older than a day are swept as new ones are made.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ingest.letters.models import RateWindow
from services.db import Database
from services.refusals import TooMany


def hit(db: Database, key: str, limit: int, window_seconds: int, what: str,
        now: float | None = None) -> int:
    """Count one request for ``key``; refuse it (TooMany) when it is past ``limit``."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    count = _increment(db, key, window)
    if count > limit:
        retry = int((window + 1) * window_seconds - now) + 1
        raise TooMany(f"{what}过于频繁，请{_wait(retry)}后再试 (too many requests)",
                      headers={"Retry-After": str(retry)})
    return count


def _increment(db: Database, key: str, window: int) -> int:
    table = RateWindow
    for _ in range(3):
        with db.transaction() as session:
            count = session.execute(
                sa.update(table).where(table.key == key, table.window == window)
                .values(count=table.count + 1).returning(table.count)).scalar()
            if count is not None:
                return int(count)
        try:
            with db.transaction() as session:
                session.execute(sa.insert(table).values(key=key, window=window, count=1))
                # old windows of this key are of no use any more
                session.execute(sa.delete(table).where(table.key == key,
                                                       table.window < window - 1))
            return 1
        except IntegrityError:
            continue  # another request made the row first: count on it
    raise TooMany("请求过于频繁，请稍后再试 (too many requests)")


def _wait(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600}小时"
    if seconds >= 60:
        return f"{seconds // 60}分钟"
    return f"{seconds}秒"
