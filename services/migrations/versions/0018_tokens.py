"""Tokens that expire and can be revoked; browser sessions kept on the server (issue 15, item 3)

Revision ID: 0018_tokens
Revises: 0017_columns
Create Date: 2026-12-07

"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.db import UTCDateTime

revision: str = "0018_tokens"
down_revision: Union[str, Sequence[str], None] = "0017_columns"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_issued_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("token_revoked_at", sa.DateTime(), nullable=True))
    # the tokens out there count as issued now: an old deployment's tokens do not all expire
    # at the upgrade, they get the full term from it
    users = sa.table("users", sa.column("token_issued_at", UTCDateTime()))
    op.execute(users.update().values(token_issued_at=dt.datetime.now(dt.UTC)))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("token_issued_at", existing_type=sa.DateTime(), nullable=False)
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_web_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_revoked_at")
        batch.drop_column("token_issued_at")
