"""How long a delivery may stay unacked on RabbitMQ, against the broker's ``consumer_timeout``.

RabbitMQ closes the channel of a consumer that holds a delivery unacked longer than
``consumer_timeout`` (30 minutes by default): every message of that channel is delivered again,
and a batch that takes that long would never finish. So each runner's worst hold must stay well
inside it:

- a kombu consumer prefetches ``max(batch, 10)`` messages: the last of them waits for those
  before it, then its own batch, and each batch may run twice (it fails, then its events are
  handled one by one): ``2 × (prefetch + batch) × worst item``;
- a Celery worker bridges an event to a task and acks it at once; a task is killed at
  ``task_time_limit``, and with a prefetch of one a reserved task waits for at most one running
  task: ``2 × task_time_limit``.

The worst item is one with photos at ``max_submission_pixels``: derivatives and checks cost at
most ``SECONDS_PER_MEGAPIXEL`` (measured: a 40-megapixel WebP's derivatives took 4.4 s on a busy
2-core machine, 0.11 s a megapixel; JPEG 0.04, PNG 0.03; the checks 0.02), plus the pages and the
database for the item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.inbox import Prepared, Subscription
from services.settings import Settings

SECONDS_PER_MEGAPIXEL = 0.12  # the slowest format's derivatives, with a margin (see above)
ITEM_OVERHEAD_SECONDS = 2.0  # an item's pages, listings and rows, on a busy database
EVENT_SECONDS = 0.5  # an event without photo work (a ledger line, a status): generous
TASK_TIME_LIMIT = 600  # a Celery task is killed past this (the worker's hard time limit)
PREFETCH = 10  # the kombu consumer's least prefetch
MARGIN = 0.8  # "well inside": at most this share of the consumer timeout


@dataclass(frozen=True)
class Hold:
    consumer: str
    seconds: float  # the longest a delivery may stay unacked
    how: str  # the sum behind it

    def fits(self, settings: Settings) -> bool:
        return self.seconds <= MARGIN * settings.consumer_timeout_seconds


def worst_item_seconds(settings: Settings) -> float:
    """An item with as many pixels of photos as one submission may carry."""
    return settings.max_submission_pixels / 1e6 * SECONDS_PER_MEGAPIXEL + ITEM_OVERHEAD_SECONDS


def kombu_hold(settings: Settings, subscription: Subscription) -> Hold:
    batch = subscription.batch or settings.event_batch
    prefetch = max(PREFETCH, batch)  # as the consumer asks the broker for
    photos = any(isinstance(h, Prepared) for h in subscription.handlers.values())
    item = worst_item_seconds(settings) if photos else EVENT_SECONDS
    return Hold(subscription.consumer, 2 * (prefetch + batch) * item,
                f"2 × ({prefetch} + {batch}) × {item:.1f} s")


def celery_hold(consumer: str) -> Hold:
    return Hold(consumer, 2 * TASK_TIME_LIMIT, f"2 × {TASK_TIME_LIMIT} s (task_time_limit)")


def too_long(settings: Settings, holds: Iterable[Hold]) -> list[str]:
    """What cannot fit the consumer timeout, in words for the log (empty: all fits)."""
    limit = settings.consumer_timeout_seconds
    return [f"{hold.consumer}: 一条消息最长可能 {hold.seconds:.0f} 秒未确认 ({hold.how})，超过 "
            f"consumer_timeout {limit:.0f} 秒的 {MARGIN:.0%}；请减小批量 (BAOSONG_*_BATCH) 或 "
            f"BAOSONG_MAX_SUBMISSION_PIXELS，或调大 RabbitMQ 的 consumer_timeout 并设置 "
            f"BAOSONG_CONSUMER_TIMEOUT_SECONDS (a delivery may stay unacked longer than the "
            f"broker allows)"
            for hold in holds if not hold.fits(settings)]
