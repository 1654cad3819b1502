"""Scoring's letter facts keep the time of the event that named the letter's unit and whether
the letter was closed, so that events arriving out of order settle the same

Revision ID: 0024_letter_fact_order
Revises: 0023_feature_listings
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0024_letter_fact_order"
down_revision: Union[str, Sequence[str], None] = "0023_feature_listings"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # on the facts on record: no time (the next event is newer), and not closed (a rating
    # that comes is taken, as it was)
    with op.batch_alter_table("letter_facts") as batch:
        batch.add_column(sa.Column("unit_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("closed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("letter_facts") as batch:
        batch.drop_column("closed")
        batch.drop_column("unit_at")
