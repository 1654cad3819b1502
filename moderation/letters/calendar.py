"""Working days on the Chinese calendar: public holidays and make-up working days (调休).

Pure logic. The ``chinese-calendar`` package knows each year once the State Council has
published it; a year it does not know yet is read from an override file (a setting), and
failing that counted on weekdays, with a warning in the log, never a crash.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path

import chinese_calendar

log = logging.getLogger(__name__)


class CalendarError(ValueError):
    pass


def read_overrides(path: Path | None) -> dict[dt.date, bool]:
    """``YYYY-MM-DD holiday|workday`` a line (``#`` starts a comment): True for a working day."""
    if path is None:
        return {}
    days: dict[dt.date, bool] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in ("holiday", "workday"):
            raise CalendarError(f"{path}:{number}: 应为 YYYY-MM-DD holiday|workday ({raw!r})")
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError as exc:
            raise CalendarError(f"{path}:{number}: 日期无效 ({parts[0]!r})") from exc
        days[day] = parts[1] == "workday"
    return days


class WorkCalendar:
    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self._override_years = {d.year for d in self.overrides}
        self._warned: set[int] = set()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self._override_years:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                if day.year not in self._warned:
                    self._warned.add(day.year)
                    log.warning("the Chinese calendar for %d is not known yet (neither the "
                                "chinese-calendar package nor the override file has it): "
                                "counting working days on weekdays", day.year)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
        day = start
        left = days
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
