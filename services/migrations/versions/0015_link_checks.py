"""The last check of each unit's website (issue 12)

Revision ID: 0015_link_checks
Revises: 0014_minhash
Create Date: 2026-12-02

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.db import UTCDateTime

revision: str = "0015_link_checks"
down_revision: Union[str, Sequence[str], None] = "0014_minhash"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "link_checks",
        sa.Column("unit_slug", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_checks")
