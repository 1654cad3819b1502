"""The database: one declarative base for every component's tables, and the session factory.

SQLite (embedded) and PostgreSQL (distributed) run the same models and migrations. On SQLite a
write transaction starts with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then
writes can fail at once with "database is locked" instead of waiting for the busy timeout.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from services import metrics
from services.clock import utcnow as utcnow  # re-exported: models default their times with it
from services.contracts.submissions import SubmissionId

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    # a submission's id is its own type from the upload to the ledger line (an integer column)
    type_annotation_map: ClassVar[dict[Any, Any]] = {SubmissionId: sa.Integer()}


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database (SQLite keeps no time zone of its own)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a process crash
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: str, *, immediate: bool = False) -> Engine:
    if url.startswith("sqlite"):
        # The driver's own transaction handling is switched off so that BEGIN is ours to emit.
        engine = sa.create_engine(
            url, connect_args={"isolation_level": None, "check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Sessions for reading and transactions for writing, plus after-commit callbacks."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, immediate=self.is_sqlite)
        self.read_engine = create_engine(url) if self.is_sqlite else self.engine
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        # what a transaction observed for the metrics counts once it has committed
        self._after_commit: list[Callable[[Session], None]] = [metrics.committed]
        # SQLite has one writer at a time, and a writer that finds the file locked sleeps in
        # steps of up to 100 ms before it looks again: a dozen threads of one process waiting
        # so would leave the lock idle between them. They queue here instead, and only one
        # thread of each process waits on the file.
        self._one_writer: AbstractContextManager[object] = (
            threading.RLock() if self.is_sqlite else nullcontext())
        event.listen(self._writer, "after_commit", self._run_after_commit)

    def on_commit(self, callback: Callable[[Session], None]) -> None:
        """Call ``callback(session)`` after every committed write transaction."""
        self._after_commit.append(callback)

    def _run_after_commit(self, session: Session) -> None:
        for callback in self._after_commit:
            callback(session)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._one_writer, self._writer() as session, session.begin():
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; what it loaded stays readable after the block."""
        with self._reader() as session:
            yield session

    def ping(self) -> None:
        with self.read_engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def forget_connections(self) -> None:
        """After a fork: drop the parent's pooled connections without closing them under it."""
        self.engine.dispose(close=False)
        if self.read_engine is not self.engine:
            self.read_engine.dispose(close=False)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
