"""portal: listing numbers, sitemap blocks, one lead

Every published item gets its number in its column and in its unit (the archive page it is
listed on follows from it), and a count of its photos; a table says how many addresses each
sitemap file lists; the home page can have one lead item only; the site lock row exists.

Revision ID: 0005_portal
Revises: 0001
Create Date: 2026-11-28 15:37:14.585510

"""
import json
from collections import defaultdict
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_portal'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _number_existing_items() -> None:
    """Items published before this migration are numbered in the order they were published."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        'SELECT submission_id, "column", unit_slug, photos FROM published_items '
        'ORDER BY published_at, submission_id')).all()
    by_column: dict[str, int] = defaultdict(int)
    by_unit: dict[str, int] = defaultdict(int)
    for submission_id, column, unit, photos in rows:
        by_column[column] += 1
        by_unit[unit] += 1
        if isinstance(photos, str):
            photos = json.loads(photos)
        conn.execute(sa.text(
            "UPDATE published_items SET column_seq = :c, unit_seq = :u, photo_count = :p "
            "WHERE submission_id = :id"),
            {"c": by_column[column], "u": by_unit[unit], "p": len(photos or []),
             "id": submission_id})


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('sitemap_blocks',
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('urls', sa.Integer(), nullable=False),
    sa.Column('lastmod', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('block', name=op.f('pk_sitemap_blocks'))
    )
    with op.batch_alter_table('published_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('column_seq', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('unit_seq', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_index(batch_op.f('ix_published_column_state_at'))
    _number_existing_items()
    with op.batch_alter_table('published_items', schema=None) as batch_op:
        batch_op.create_index('ix_published_items_column_seq', ['column', 'column_seq'], unique=True)
        batch_op.create_index('ix_published_items_state_at', ['state', 'published_at'], unique=False)
        batch_op.create_index('ix_published_items_unit_seq', ['unit_slug', 'unit_seq'], unique=True)
        batch_op.create_index('ix_published_items_with_photos', ['state', 'published_at'], unique=False, sqlite_where=sa.text('photo_count > 0'), postgresql_where=sa.text('photo_count > 0'))
        batch_op.create_index('uq_published_items_lead', ['lead'], unique=True, sqlite_where=sa.text('lead = 1'), postgresql_where=sa.text('lead'))
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM site_lock WHERE id = 1")).scalar() == 0:
        conn.execute(sa.text("INSERT INTO site_lock (id, renders) VALUES (1, 0)"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('published_items', schema=None) as batch_op:
        batch_op.drop_index('uq_published_items_lead', sqlite_where=sa.text('lead = 1'), postgresql_where=sa.text('lead'))
        batch_op.drop_index('ix_published_items_with_photos', sqlite_where=sa.text('photo_count > 0'), postgresql_where=sa.text('photo_count > 0'))
        batch_op.drop_index('ix_published_items_unit_seq')
        batch_op.drop_index('ix_published_items_state_at')
        batch_op.drop_index('ix_published_items_column_seq')
        batch_op.create_index(batch_op.f('ix_published_column_state_at'), ['column', 'state', 'published_at'], unique=False)
        batch_op.drop_column('unit_seq')
        batch_op.drop_column('column_seq')
        batch_op.drop_column('photo_count')

    op.drop_table('sitemap_blocks')
