"""Migration 0018_tokens on a database that already has users: their tokens go on working,
counted as issued at the upgrade (an old deployment's tokens do not all expire at once), and it
goes back down cleanly; on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bootstrap import metadata
from services import migrate
from services.identity import authenticate, hash_token


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tokens.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def test_users_from_before_keep_working_tokens_after_the_upgrade(database_url: str) -> None:
    config = migrate.alembic_config(database_url, metadata())
    command.upgrade(config, "0017_columns")
    engine = sa.create_engine(database_url)
    token = "bs_" + "old-token-from-before" * 2
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO users (name, role, unit_slug, token_hash, active, created_at) "
                "VALUES ('周敏', 'moderator', NULL, :hash, :active, :created)"),
                {"hash": hash_token(token), "active": True,
                 "created": dt.datetime(2024, 1, 5)})  # two years ago: past any token term
        command.upgrade(config, "head")
        with sa.orm.Session(engine) as session:
            who = authenticate(session, token)
            assert who is not None and who.name == "周敏"
            sessions = session.scalar(sa.text("SELECT count(*) FROM web_sessions"))
            assert sessions == 0
        command.downgrade(config, "0018_tokens-1")  # this migration alone
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("users")}
            assert "token_issued_at" not in columns
            assert not sa.inspect(conn).has_table("web_sessions")
    finally:
        engine.dispose()
