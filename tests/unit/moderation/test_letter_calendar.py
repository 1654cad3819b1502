"""Deadlines in working days across the 2026 Mid-Autumn and National Day holidays.

The table was worked out by hand from the State Council's 2026 holiday notice: 中秋 9月25日–27日
off; 国庆 10月1日–7日 off; 9月20日 (a Sunday) and 10月10日 (a Saturday) are make-up working
days (调休). A deadline is the n-th working day after the day a letter is assigned.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from moderation.letters.calendar import CalendarError, WorkCalendar, read_overrides

D = dt.date
DEADLINES = [
    # assigned on,   working days, due             (why)
    (D(2026, 9, 18), 5, D(2026, 9, 24)),   # Sunday 9月20日 is worked
    (D(2026, 9, 24), 10, D(2026, 10, 15)),  # over 中秋 and 国庆, Saturday 10月10日 counted
    (D(2026, 9, 29), 5, D(2026, 10, 12)),
    (D(2026, 9, 30), 5, D(2026, 10, 13)),
    (D(2026, 10, 1), 15, D(2026, 10, 27)),  # assigned on a holiday: counting starts 10月8日
    (D(2026, 10, 9), 5, D(2026, 10, 15)),   # the 调休 Saturday is the first working day
    (D(2026, 10, 10), 1, D(2026, 10, 12)),  # Sunday 10月11日 is off again
]


@pytest.mark.parametrize(("start", "days", "due"), DEADLINES)
def test_deadline_across_national_day_matches_the_hand_made_table(
        start: dt.date, days: int, due: dt.date) -> None:
    assert WorkCalendar().add_workdays(start, days) == due


def test_make_up_saturday_is_a_working_day_and_holiday_weekdays_are_not() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(D(2026, 10, 10))  # Saturday, 调休
    assert calendar.is_workday(D(2026, 9, 20))  # Sunday, 调休
    assert not calendar.is_workday(D(2026, 10, 5))  # Monday, 国庆
    assert not calendar.is_workday(D(2026, 9, 25))  # Friday, 中秋


def test_paused_working_days_are_counted_across_the_holiday() -> None:
    # paused on 9月30日, the writer answered on 10月9日: 10月8日 and 9日 did not run the clock
    calendar = WorkCalendar()
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert calendar.add_workdays(D(2026, 10, 13), 2) == D(2026, 10, 15)


def test_a_year_the_library_does_not_know_is_read_from_the_override_file(
        tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("# 2027 元旦\n2027-01-01 holiday\n2027-01-02 holiday\n"
                    "2027-02-20 workday  # a make-up Saturday\n", encoding="utf-8")
    calendar = WorkCalendar(read_overrides(path))
    assert calendar.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert calendar.is_workday(D(2027, 2, 20))


def test_a_year_nobody_knows_is_counted_on_weekdays_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        due = WorkCalendar().add_workdays(D(2031, 12, 31), 3)
    assert due == D(2032, 1, 5)  # Thursday, Friday, Monday: weekdays only
    assert "not known yet" in caplog.text


def test_a_broken_override_line_is_refused_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("2027-01-01 holiday\n2027-13-01 holiday\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=":2:"):
        read_overrides(path)
