"""The one back-off policy: each loop that retries keeps the waits it had."""

from __future__ import annotations

from services.backoff import Backoff
from services.bus.local import REDELIVERY
from services.bus.retry import DATABASE_RETRY
from services.polling import POLLER_BACKOFF


def waits(policy: Backoff, failures: int) -> list[float]:
    return [policy.delay(n) for n in range(1, failures + 1)]


def test_a_poller_waits_half_a_second_then_doubles_up_to_fifteen() -> None:
    assert waits(POLLER_BACKOFF, 7) == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]


def test_a_handler_whose_database_is_away_retries_from_a_quarter_second_up_to_ten() -> None:
    assert waits(DATABASE_RETRY, 7) == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0]


def test_the_embedded_queue_offers_a_failed_message_again_later_each_time_up_to_thirty() -> None:
    # the delay after the n-th delivery attempt, as it was: 2**n * 0.25 s, at most 30 s
    assert waits(REDELIVERY, 8) == [min(2 ** n * 0.25, 30) for n in range(1, 9)]


def test_an_outage_of_days_waits_the_ceiling_instead_of_overflowing() -> None:
    assert POLLER_BACKOFF.delay(100_000) == 15.0
