"""Thread names the kernel knows: top, py-spy and the benchmarks' CPU accounting (``bench``) tell
the stages of one process apart by them."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools

_PR_SET_NAME = 15


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def name_os_thread(name: str) -> None:
    """Give the calling thread ``name`` in the kernel too (15 bytes of it; Linux only)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: Python's name only
        _libc().prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)
