"""Bringing the database schema up to date with Alembic (also run by ``baosong up``)."""

from __future__ import annotations

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
    command.upgrade(alembic_config(url, metadata), "heads")
