"""Scoring keeps how many ballots a survey's close counted, and books an evaluation's points once
it holds them all

Revision ID: 0019_survey_ballots_cast
Revises: 0018_tokens
Create Date: 2026-12-07

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0019_survey_ballots_cast"
down_revision: Union[str, Sequence[str], None] = "0018_tokens"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # NULL for the surveys closed before: their points were booked at the close, as then
    with op.batch_alter_table("scoring_surveys") as batch:
        batch.add_column(sa.Column("ballots_cast", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scoring_surveys") as batch:
        batch.drop_column("ballots_cast")
