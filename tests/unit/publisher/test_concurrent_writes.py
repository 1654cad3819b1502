"""A flush's page writes go side by side, and ``settle`` is a barrier: what was started before
it is done when it returns; a failed write surfaces there, after the others finished."""

from __future__ import annotations

import threading
import time

import pytest

from publisher.writes import ConcurrentWrites


def test_writes_overlap_and_settle_waits_for_all_of_them() -> None:
    writes = ConcurrentWrites(4)
    done: list[str] = []
    inside = threading.Barrier(4, timeout=5)  # only passes if four writes run at once

    def write(key: str) -> None:
        inside.wait()
        time.sleep(0.01)
        done.append(key)

    with writes.together() as settle:
        for key in ("a", "b", "c", "d"):
            writes.run(write, key)
        settle()
        assert sorted(done) == ["a", "b", "c", "d"]
        writes.run(done.append, "home")  # after the barrier: the others are on the site
    assert done[-1] == "home"
    writes.close()


def test_a_failed_write_is_raised_once_the_others_are_done() -> None:
    writes = ConcurrentWrites(2)
    done: list[str] = []

    def fail() -> None:
        raise OSError("disk full")

    def slow() -> None:
        time.sleep(0.05)
        done.append("slow")

    with pytest.raises(OSError, match="disk full"), writes.together():
        writes.run(fail)
        writes.run(slow)
    assert done == ["slow"]  # nothing of the flush still writing after it failed
    writes.close()


def test_outside_together_a_write_is_made_at_once() -> None:
    writes = ConcurrentWrites(4)
    done: list[str] = []
    writes.run(done.append, "now")
    assert done == ["now"]
