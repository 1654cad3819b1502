"""SQLite writers take turns on a lock of the file's own (``<file>.writer``), which the kernel
hands to the next process the moment it is let go, instead of meeting in SQLite's sleeping
retry: held for exactly a write transaction, and given up on error."""

from __future__ import annotations

import fcntl
import os
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
