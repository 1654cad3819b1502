"""The publisher keeps the times of a letter's newest answer and retraction, so that the page
is live or not the same whichever of the two events arrives first

Revision ID: 0021_letter_page_times
Revises: 0020_scored_last_published
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0021_letter_page_times"
down_revision: Union[str, Sequence[str], None] = "0020_scored_last_published"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # NULL on the pages on record: any answer or retraction that comes next is newer
    with op.batch_alter_table("letter_pages") as batch:
        batch.add_column(sa.Column("replied_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("retracted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letter_pages") as batch:
        batch.drop_column("retracted_at")
        batch.drop_column("replied_at")
