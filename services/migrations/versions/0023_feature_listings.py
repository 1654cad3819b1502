"""Scoring keeps when each featured list was last imported, so that an older import arriving
late does not replace a newer list

Revision ID: 0023_feature_listings
Revises: 0022_published_surveys
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0023_feature_listings"
down_revision: Union[str, Sequence[str], None] = "0022_published_surveys"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "scoring_feature_listings",
        sa.Column("series", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("listed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_scoring_feature_listings")),
    )


def downgrade() -> None:
    op.drop_table("scoring_feature_listings")
