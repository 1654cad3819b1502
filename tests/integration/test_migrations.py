"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bootstrap import metadata
from services import migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'schema.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def test_migrations_match_the_models(database_url: str) -> None:
    migrate.upgrade(database_url, metadata())
    migrate.upgrade(database_url, metadata())  # a second run changes nothing
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata())
    finally:
        engine.dispose()
    assert differences == []
