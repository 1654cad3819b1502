"""Every delivery is acked well inside the broker's consumer timeout with the default settings,
and settings that could outlast it are named at start."""

from __future__ import annotations

from services.bus.timeouts import celery_hold, kombu_hold, too_long, worst_item_seconds
from services.inbox import Prepared, Subscription
from services.settings import Settings


def _settings(**changes: object) -> Settings:
    return Settings(_env_file=None, **changes)  # type: ignore[arg-type]


def _publisher(settings: Settings) -> Subscription:
    """The publisher's shape: approvals whose photos are derived before the transaction."""
    return Subscription(consumer="publisher",
                        handlers={"submission.approved": Prepared(lambda e: lambda s, e2: None)},
                        batch=settings.publish_batch)


def test_the_default_batches_fit_well_inside_rabbitmqs_thirty_minutes() -> None:
    settings = _settings()
    ledger = Subscription(consumer="scoring", handlers={"score": lambda s, e: None},
                          batch=settings.score_batch)
    holds = [kombu_hold(settings, _publisher(settings)), kombu_hold(settings, ledger),
             celery_hold("moderation")]
    assert too_long(settings, holds) == []
    assert all(hold.seconds <= 0.8 * 1800 for hold in holds)
    # the publisher's bound: a batch of items at the pixel limit, waiting behind another batch
    assert kombu_hold(settings, _publisher(settings)).seconds == \
        2 * (settings.publish_batch + settings.publish_batch) * worst_item_seconds(settings)


def test_a_batch_that_could_outlast_the_consumer_timeout_is_named() -> None:
    settings = _settings(publish_batch=200)
    [problem] = too_long(settings, [kombu_hold(settings, _publisher(settings))])
    assert problem.startswith("publisher:") and "consumer_timeout" in problem
    # a broker whose timeout was raised to match, and the settings told so, is content
    raised = _settings(publish_batch=200, consumer_timeout_seconds=5 * 3600)
    assert too_long(raised, [kombu_hold(raised, _publisher(raised))]) == []
