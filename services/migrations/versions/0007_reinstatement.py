"""Join the branches of issues 4, 5 and 6; scoring remembers when a retracted item was reinstated

Revision ID: 0007_reinstatement
Revises: 0004_scoring, 0005_portal, 0006_desk_queue
Create Date: 2026-11-28

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reinstatement"
down_revision: Union[str, Sequence[str], None] = ("0004_scoring", "0005_portal",
                                                  "0006_desk_queue")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("scored_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reinstated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scored_items", schema=None) as batch_op:
        batch_op.drop_column("reinstated_at")
