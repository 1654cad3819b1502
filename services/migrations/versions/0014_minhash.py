"""MinHash band keys of article texts, for near copies SimHash misses (issue 14)

Revision ID: 0014_minhash
Revises: 0008_join_screening
Create Date: 2026-12-02

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014_minhash"
down_revision: Union[str, Sequence[str], None] = "0013_documents"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "text_bands",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("lineage", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_text_bands_submission_id", "text_bands", ["submission_id"])
    op.create_index("ix_text_bands_key", "text_bands", ["key"])


def downgrade() -> None:
    op.drop_table("text_bands")
