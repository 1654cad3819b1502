"""Migration 0020 on a database whose items were published, retracted and published again: an
item that is on the site stays on it under the new order-free rule, and one that was taken off
stays off; on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bootstrap import metadata
from scoring import engine
from scoring.engine import Fact
from scoring.models import ScoredItem
from services import migrate

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scoring.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def _item(conn: sa.Connection, sid: int, status: str, retracted: int | None,
          reinstated: int | None) -> None:
    def at(minutes: int | None) -> dt.datetime | None:
        return None if minutes is None else (T0 + dt.timedelta(minutes=minutes)).replace(
            tzinfo=None)

    conn.execute(sa.text(
        "INSERT INTO scored_items (submission_id, kind, unit_slug, unit_kind, informant_id, "
        "month, status, superseded, earned, received_at, title, images, published_at, "
        "retracted_at, reinstated_at, adoptions, instructions) VALUES (:sid, 'article', "
        "'qingshan', 'county', 7, '2026-03', :status, :no, 2, :received, '稿件', 0, :published, "
        ":retracted, :reinstated, '{}', '{}')"),
        {"sid": sid, "status": status, "no": False, "received": at(0), "published": at(5),
         "retracted": at(retracted), "reinstated": at(reinstated)})


def test_items_keep_their_place_on_the_site_across_the_upgrade(database_url: str) -> None:
    config = migrate.alembic_config(database_url, metadata())
    command.upgrade(config, "0019_survey_ballots_cast")
    db = sa.create_engine(database_url)
    try:
        with db.begin() as conn:
            _item(conn, 1, "published", retracted=9, reinstated=20)  # published again at 21
            _item(conn, 2, "retracted", retracted=9, reinstated=None)
            _item(conn, 3, "published", retracted=None, reinstated=None)
        command.upgrade(config, "head")
        with sa.orm.Session(db) as session:
            newest = {i.submission_id: i.last_published_at
                      for i in session.scalars(sa.select(ScoredItem))}
            # published again after its reinstatement; never again; never taken off
            assert newest == {1: T0 + dt.timedelta(minutes=20, seconds=1),
                              2: T0 + dt.timedelta(minutes=5), 3: T0 + dt.timedelta(minutes=5)}
            for sid, kind in ((1, engine.RETRACTED), (2, engine.REINSTATED)):
                item = session.get(ScoredItem, sid)
                assert item is not None
                engine.apply(_World(item), Fact(id=f"f{sid}", type=kind,
                                                at=T0 + dt.timedelta(minutes=40),
                                                data={"submission": sid}), "Asia/Shanghai")
            statuses = {i.submission_id: i.status for i in session.scalars(sa.select(ScoredItem))}
            assert statuses == {1: "retracted", 2: "approved", 3: "published"}
            session.rollback()
        command.downgrade(config, "0020_scored_last_published-1")  # this migration alone
        with db.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("scored_items")}
            assert "last_published_at" not in columns
    finally:
        db.dispose()


class _World:
    """The one item the engine is asked about."""

    def __init__(self, item: ScoredItem) -> None:
        self._item = item

    def item(self, submission: object) -> ScoredItem:
        return self._item
