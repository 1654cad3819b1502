"""Join the screening branch (issue 3) with the rest: one head again

Revision ID: 0008_join_screening
Revises: 0003_screening, 0007_reinstatement
Create Date: 2026-11-28

"""
from typing import Sequence, Union

revision: str = "0008_join_screening"
down_revision: Union[str, Sequence[str], None] = ("0003_screening", "0007_reinstatement")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass  # a merge point: nothing to change


def downgrade() -> None:
    pass
