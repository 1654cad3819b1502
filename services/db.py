"""The database: one declarative base for every component's tables, and the session factory.

SQLite (embedded) and PostgreSQL (distributed) run the same models and migrations. On SQLite a
write transaction starts with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then
writes can fail at once with "database is locked" instead of waiting for the busy timeout.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
import time
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


class _Writers:
    """The turn to write a SQLite file: the threads of a process queue on a lock, and one of
    them at a time on an advisory lock of the file's own (``flock`` on ``<file>.writer``) with
    the other processes; the kernel hands it to the next waiter the moment it is let go (and
    takes it back from a process that dies), so SQLite's own sleeping retry is rarely met.
    A database in memory has one process: the thread lock alone. How long each thread waited
    for its turn and held it is observed (``baosong_sqlite_write_lock_seconds``): with one
    writer at a time, the sum of the holds is what the embedded mode's throughput runs into."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._path = f"{database}.writer" if database and database != ":memory:" else None
        self._fd: int | None = None
        self._depth = 0  # a transaction inside another of the same thread holds it already
        self._asked = self._got = 0.0  # when the holder asked for its turn, and got it

    def __enter__(self) -> None:
        asked = time.perf_counter()
        self._threads.acquire()
        self._depth += 1
        if self._depth > 1:
            return
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits outside the interpreter lock
        except BaseException:
            self._depth -= 1
            self._threads.release()
            raise
        self._asked, self._got = asked, time.perf_counter()

    def forget(self) -> None:
        self._fd = None  # the parent's, left open: closing it here would not let it go anyway

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            # after letting go: the next writer need not wait for the observation
            waited, held = metrics.write_lock(threading.current_thread().name)
            released = time.perf_counter()
            asked, got = self._asked, self._got
            self._threads.release()
            waited.observe(got - asked)
            held.observe(released - got)
            return
        self._threads.release()


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
        # steps of up to 100 ms before it looks again: writers waiting so leave the lock idle
        # between them (the API's uploads waited most of their time there behind the pipeline
        # processes). They queue on locks that wake the next one at once instead (_Writers).
        self._one_writer: AbstractContextManager[object] = (
            _Writers(self.engine.url.database) if self.is_sqlite else nullcontext())
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
        """After a fork: drop the parent's pooled connections without closing them under it,
        and its hold on the file's write lock (shared with the child until it opens its own)."""
        if isinstance(self._one_writer, _Writers):
            self._one_writer.forget()
        self.engine.dispose(close=False)
        if self.read_engine is not self.engine:
            self.read_engine.dispose(close=False)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
