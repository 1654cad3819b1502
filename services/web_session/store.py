"""The server side of a browser session: one row a sign-in, found by the random id the cookie
carries (stored only as a hash, like the tokens).

The cookie never holds the API token: a stolen cookie dies when its row does (signing out,
``baosong users revoke|rotate``, the user's deactivation), and the token never travels again
after the sign-in form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, Database, UTCDateTime, utcnow
from services.identity import Principal, User, principal_of, refusal_for

# last_seen is written at most this often: not one write per page or API call
SEEN_EVERY = dt.timedelta(minutes=5)


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: Session, user_id: int, hours: int, now: dt.datetime | None = None) -> str:
    """A new session for ``user_id``; returns its id (for the cookie, never stored as is).
    Sessions that have expired are swept away on the way."""
    now = now or utcnow()
    db.execute(sa.delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    db.add(WebSessionRow(id_hash=_hash(session_id), user_id=user_id, created_at=now,
                         last_seen_at=now, expires_at=now + dt.timedelta(hours=hours)))
    db.flush()
    return session_id


def find(db: Session, session_id: str, token_days: int,
         now: dt.datetime | None = None) -> tuple[Principal, bool] | None:
    """Who is signed in under ``session_id`` (and whether its last-seen time is stale), or
    None: no such row, expired, or its user's token no longer works (revoked, expired, replaced
    after the sign-in, user deactivated)."""
    now = now or utcnow()
    found = db.execute(sa.select(WebSessionRow, User).join(User, User.id == WebSessionRow.user_id)
                       .where(WebSessionRow.id_hash == _hash(session_id))).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or row.created_at < user.token_issued_at \
            or refusal_for(user, token_days, now) is not None:
        return None
    return principal_of(user), now - row.last_seen_at >= SEEN_EVERY


def lookup(database: Database, session_id: str, token_days: int,
           now: dt.datetime | None = None) -> Principal | None:
    """:func:`find` in its own reading session; notes when the session was last seen (in a
    short write of its own, at most every few minutes)."""
    now = now or utcnow()
    with database.session() as db:
        found = find(db, session_id, token_days, now)
    if found is None:
        return None
    principal, stale = found
    if stale:
        with database.transaction() as db:
            db.execute(sa.update(WebSessionRow).where(WebSessionRow.id_hash == _hash(session_id))
                       .values(last_seen_at=now))
    return principal


def end(db: Session, session_id: str) -> None:
    db.execute(sa.delete(WebSessionRow).where(WebSessionRow.id_hash == _hash(session_id)))


def end_all(db: Session, user_id: int) -> int:
    """Sign ``user_id`` out everywhere (a revoked or replaced token); how many sessions ended."""
    result = db.execute(sa.delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)
