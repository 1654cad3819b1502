"""The writer's view of a letter keeps the time of the publication or retraction that set its
address, so that the older of the two arriving last does not undo the newer

Revision ID: 0025_letter_url_at
Revises: 0024_letter_fact_order
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0025_letter_url_at"
down_revision: Union[str, Sequence[str], None] = "0024_letter_fact_order"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("letters") as batch:  # NULL: the next one is newer
        batch.add_column(sa.Column("url_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.drop_column("url_at")
