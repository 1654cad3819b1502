"""A Celery worker of Baosong's own making (``make_celery``) over one test consumer whose handler
fails on the event with ``value`` "poison" until the file ``<data dir>/fixed`` exists: what
``tests/integration/test_celery_poison.py`` runs as a process.

    python -m tests.celery_poison_worker BROKER_URL EXCHANGE PREFIX QUEUE_TYPE LIMIT DATA_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.bus.amqp import Topology
from services.bus.celery_worker import WorkerRuntime, make_celery
from services.db import Database
from services.events import Event
from services.inbox import Subscription
from services.settings import Settings

EFFECTS = sa.Table("celery_effects", sa.MetaData(),
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("value", sa.String(100)))


def subscription(data_dir: Path) -> Subscription:
    def record(session: Session, event: Event) -> None:
        if event.data["value"] == "poison":
            with (data_dir / "tries").open("a") as tries:
                tries.write(event.id + "\n")
            if not (data_dir / "fixed").exists():
                raise RuntimeError("the data this event points at makes its handler fail")
        session.execute(EFFECTS.insert().values(value=event.data["value"]))

    return Subscription(consumer="recorder", handlers={"thing.happened": record}, batch=1)


def main(broker_url: str, exchange: str, prefix: str, queue_type: str, limit: str,
         data_dir: str) -> None:
    folder = Path(data_dir)
    settings = Settings(data_dir=folder, broker_url=broker_url, exchange=exchange,  # type: ignore[call-arg]
                        queue_prefix=prefix, queue_type=queue_type, delivery_limit=int(limit),
                        _env_file=None)
    sub = subscription(folder)
    topology = Topology(settings, [sub])

    def runtime() -> WorkerRuntime:
        return WorkerRuntime(db=Database(f"sqlite:///{folder / 'effects.db'}"),
                             subscriptions={"recorder": sub})

    app = make_celery(settings, topology, ["recorder"], runtime)
    app.start(["worker", "--pool", "solo", "--loglevel", "WARNING", "--without-gossip",
               "--without-mingle", "--hostname", f"poison-{prefix}@%h"])


if __name__ == "__main__":
    main(*sys.argv[1:])
