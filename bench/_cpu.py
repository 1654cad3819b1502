"""CPU time from /proc: what each process, process tree or named thread has used, so that a
benchmark can say what each stage cost per item in the same run that loaded it.

A process tree is a session: every ``baosong`` command a benchmark starts leads a session of its
own, and a Celery worker's pool children stay in it. Our threads carry their names down to the
kernel (``entrypoints.threads``), so an embedded process's stages can be told apart too.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(path: Path) -> tuple[str, list[str]] | None:
    try:
        text = path.read_text()
    except OSError:  # gone meanwhile
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    return comm, text[text.rindex(")") + 2:].split()


def _seconds(fields: list[str]) -> float:
    # utime and stime are fields 14 and 15 of the stat line; the list starts at field 3
    return (int(fields[11]) + int(fields[12])) / TICK


def by_session() -> dict[int, float]:
    """CPU seconds used by the live processes of each session."""
    totals: dict[int, float] = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry / "stat")) is not None:
            totals[int(stat[1][3])] += _seconds(stat[1])
    return dict(totals)


def session_members(session: int) -> list[int]:
    """The live processes of a session."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry / "stat")) is not None \
                and int(stat[1][3]) == session:
            members.append(int(entry.name))
    return members


def by_name(prefixes: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds used by the live processes whose name starts with each prefix."""
    totals = dict.fromkeys(prefixes, 0.0)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry / "stat")) is not None:
            for prefix in prefixes:
                if stat[0].startswith(prefix):
                    totals[prefix] += _seconds(stat[1])
    return totals


def by_thread(pid: int) -> dict[str, float]:
    """CPU seconds used by each named thread of ``pid`` (threads of one name summed)."""
    totals: dict[str, float] = defaultdict(float)
    for task in Path(f"/proc/{pid}/task").iterdir():
        if (stat := _stat(task / "stat")) is not None:
            totals[stat[0]] += _seconds(stat[1])
    return dict(totals)


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before.get(key, 0.0) for key in after}
