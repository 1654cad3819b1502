"""Scoring keeps an item's newest publication beside its first, so that publication, retraction
and reinstatement settle the same whatever order their events arrive in

Revision ID: 0020_scored_last_published
Revises: 0019_survey_ballots_cast
Create Date: 2026-12-07

"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.db import UTCDateTime

revision: str = "0020_scored_last_published"
down_revision: Union[str, Sequence[str], None] = "0019_survey_ballots_cast"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("scored_items") as batch:
        batch.add_column(sa.Column("last_published_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE scored_items SET last_published_at = published_at")
    # an item published again after a retraction was last published after its reinstatement
    # (when exactly is not on record: a second after the later of the two keeps it published)
    items = sa.table("scored_items", sa.column("submission_id", sa.Integer()),
                     sa.column("status", sa.String()),
                     sa.column("last_published_at", UTCDateTime()),
                     sa.column("retracted_at", UTCDateTime()),
                     sa.column("reinstated_at", UTCDateTime()))
    bind = op.get_bind()
    republished = bind.execute(sa.select(items.c.submission_id, items.c.retracted_at,
                                         items.c.reinstated_at)
                               .where(items.c.status == "published",
                                      items.c.retracted_at.is_not(None))).all()
    for submission_id, retracted_at, reinstated_at in republished:
        newest = max(t for t in (retracted_at, reinstated_at) if t is not None)
        bind.execute(items.update().where(items.c.submission_id == submission_id)
                     .values(last_published_at=newest + dt.timedelta(seconds=1)))


def downgrade() -> None:
    with op.batch_alter_table("scored_items") as batch:
        batch.drop_column("last_published_at")
