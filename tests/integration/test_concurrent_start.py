"""Processes that start together (an API, workers, scoring) all migrate safely."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from bootstrap import metadata
from services import migrate


def _migrate(url: str) -> None:
    migrate.upgrade(url, metadata())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_four_processes_migrating_at_once_leave_one_schema(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'start.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_migrate, [url] * 4))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert len(versions) >= 1
    assert set(metadata().tables) <= tables
