"""Bringing the database schema up to date with Alembic (also run by ``baosong up``)."""

from __future__ import annotations

import fcntl
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str, metadata: sa.MetaData | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["target_metadata"] = metadata
    return config


def upgrade(url: str, metadata: sa.MetaData | None = None) -> None:
    """Upgrade to the newest schema; safe when several processes start at once."""
    url_info = sa.engine.make_url(url)
    if url_info.get_backend_name() != "sqlite" or not url_info.database:
        command.upgrade(alembic_config(url, metadata), "heads")  # PostgreSQL locks in env.py
        return
    # SQLite runs DDL outside transactions: a lock file beside the database serialises us
    lock_path = Path(url_info.database).with_suffix(".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            command.upgrade(alembic_config(url, metadata), "heads")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
