"""The publisher keeps when each survey's result page was last published, so that an older
publication arriving late does not overwrite a newer page

Revision ID: 0022_published_surveys
Revises: 0021_letter_page_times
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0022_published_surveys"
down_revision: Union[str, Sequence[str], None] = "0021_letter_page_times"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "published_surveys",
        sa.Column("survey_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_published_surveys")),
    )


def downgrade() -> None:
    op.drop_table("published_surveys")
