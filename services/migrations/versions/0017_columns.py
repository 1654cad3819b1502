"""Since when a linked website has been dead, for the admin's page of link checks (issue 12)

Revision ID: 0017_columns
Revises: 0016_enterprise_review
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.db import UTCDateTime

revision: str = "0017_columns"
down_revision: Union[str, Sequence[str], None] = "0016_enterprise_review"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("link_checks") as batch:
        batch.add_column(sa.Column("dead_since", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_checks") as batch:
        batch.drop_column("dead_since")
