"""SQLite writers take turns on a lock of the file's own (``<file>.writer``), which the kernel
hands to the next process the moment it is let go, instead of meeting in SQLite's sleeping
retry: held for exactly a write transaction, and given up on error."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.db import Database


def held_elsewhere(lock: Path) -> bool:
    """Whether another open of the file (as another process's would be) finds it taken."""
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_file_lock_is_held_for_a_write_transaction_and_no_longer(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    lock = tmp_path / "b.db.writer"
    with db.transaction() as session:
        session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert held_elsewhere(lock)
    assert not held_elsewhere(lock)
    with db.session() as session:  # reading takes no turn
        assert session.scalar(sa.text("SELECT count(*) FROM t")) == 1
        assert not held_elsewhere(lock)
    db.dispose()


def test_a_failed_transaction_lets_the_lock_go(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(sa.exc.OperationalError), db.transaction() as session:
        session.execute(sa.text("SELECT * FROM no_such_table"))
    assert not held_elsewhere(tmp_path / "b.db.writer")
    db.dispose()


def _lock_seconds(holder: str, phase: str) -> tuple[float, float]:
    """(observations, seconds) of the write lock's histogram for ``holder`` and ``phase``."""
    from prometheus_client import REGISTRY

    labels = {"holder": holder, "phase": phase}
    count = REGISTRY.get_sample_value("baosong_sqlite_write_lock_seconds_count", labels)
    total = REGISTRY.get_sample_value("baosong_sqlite_write_lock_seconds_sum", labels)
    return count or 0.0, total or 0.0


def test_each_turn_is_measured_once_by_the_role_of_the_thread_that_took_it(
        tmp_path: Path) -> None:
    """A consumer's numbered threads are one holder; a transaction inside another is one turn;
    the time another writer kept the file is this one's wait."""
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    with db.transaction() as session:
        session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    held_before = _lock_seconds("scoring-letters", "held")
    waited_before = _lock_seconds("scoring-letters", "waited")
    other = threading.Event()

    def keep_the_turn() -> None:
        with db.transaction() as session:
            session.execute(sa.text("INSERT INTO t VALUES (1)"))
            other.set()
            time.sleep(0.2)  # the scoring thread waits meanwhile

    def score() -> None:
        other.wait(5)
        with db.transaction() as session, db.transaction() as inner:
            assert inner is not session
            session.execute(sa.text("INSERT INTO t VALUES (2)"))

    keeper = threading.Thread(target=keep_the_turn, name="outbox-relay")
    scorer = threading.Thread(target=score, name="consumer-scoring-letters-3")
    keeper.start()
    scorer.start()
    keeper.join()
    scorer.join()
    held = _lock_seconds("scoring-letters", "held")
    waited = _lock_seconds("scoring-letters", "waited")
    assert held[0] - held_before[0] == 1 and waited[0] - waited_before[0] == 1
    assert waited[1] - waited_before[1] >= 0.1  # the relay's 0.2 s, less the start of a thread
    assert _lock_seconds("outbox-relay", "held")[1] >= 0.2
    db.dispose()


def test_a_holder_is_a_role_whatever_the_threads_number() -> None:
    """The label's values stay few: numbered threads of one role are one holder."""
    from services.metrics import _holder

    assert {_holder(f"consumer-scoring-letters-{n}") for n in range(3)} == {"scoring-letters"}
    assert _holder("AnyIO worker thread") == "api"
    assert {_holder(f"ThreadPoolExecutor-{n}_{m}") for n in range(2) for m in range(3)} == {
        "ThreadPoolExecutor"}
    assert {_holder(f"Thread-{n} (run)") for n in range(1, 40)} == {"Thread (run)"}
    assert _holder("outbox-relay") == "outbox-relay"
