"""The portal's read counter and scoring's copies for the review's enterprise figures (issue 16)

Revision ID: 0016_enterprise_review
Revises: 0015_link_checks
Create Date: 2026-12-02

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016_enterprise_review"
down_revision: Union[str, Sequence[str], None] = "0015_link_checks"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "item_read_days",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "day", name=op.f("pk_item_read_days")),
    )
    op.create_table(
        "read_marks",
        sa.Column("mark", sa.String(64), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mark", name=op.f("pk_read_marks")),
    )
    op.create_index(op.f("ix_read_marks_window"), "read_marks", ["window"])
    op.create_table(
        "scoring_read_totals",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_slug", sa.String(64), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "day", name=op.f("pk_scoring_read_totals")),
    )
    op.create_index(op.f("ix_scoring_read_totals_unit_slug"), "scoring_read_totals",
                    ["unit_slug"])
    op.create_table(
        "scoring_item_columns",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_scoring_item_columns")),
    )
    op.create_table(
        "scoring_feature_marks",
        sa.Column("series", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("unit_slug", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("series", "year", "rank", name=op.f("pk_scoring_feature_marks")),
    )
    op.create_index(op.f("ix_scoring_feature_marks_unit_slug"), "scoring_feature_marks",
                    ["unit_slug"])


def downgrade() -> None:
    for table in ("scoring_feature_marks", "scoring_item_columns", "scoring_read_totals",
                  "read_marks", "item_read_days"):
        op.drop_table(table)
