"""Dates as an office writes them, on the commission's calendar (Beijing time), not UTC's."""

from __future__ import annotations

import datetime as dt

from services.clock import office_date, office_day
from services.identity import Role, User, refusal_for


def test_a_date_is_written_without_leading_zeros() -> None:
    assert office_date(dt.date(2026, 12, 2)) == "2026年12月2日"


def test_a_moment_late_in_the_utc_day_is_the_next_day_in_beijing() -> None:
    evening = dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC)  # 04:30 on the 2nd in Beijing
    assert office_day(evening, "Asia/Shanghai") == "2026年12月2日"
    assert office_day(evening, "UTC") == "2026年12月1日"


def test_an_expired_token_names_the_day_it_expired_in_beijing() -> None:
    issued = dt.datetime(2026, 6, 1, 20, 0, tzinfo=dt.UTC)  # expires 11月28日 20:00 UTC
    user = User(name="王晓明", role=Role.INFORMANT.value, unit_slug="qingshan", active=True,
                token_hash="x", token_issued_at=issued, token_revoked_at=None)
    later = issued + dt.timedelta(days=200)
    said = refusal_for(user, 180, later, "Asia/Shanghai")
    assert said is not None and "2026年11月29日过期" in said
    assert refusal_for(user, 180, issued + dt.timedelta(days=179), "Asia/Shanghai") is None
