"""desk and queue: reason templates; an append-only audit log

Revision ID: 0006_desk_queue
Revises: 0001
Create Date: 2026-11-28 16:00:00

"""
import datetime as dt
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_desk_queue'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEFAULT_REASONS = (
    ("return", "请删去文中的联系方式（电话、微信、QQ 等）后重新报送。"),
    ("return", "请核实文中的数据，注明来源后重新报送。"),
    ("return", "请补充时间、地点、人物等新闻要素后重新报送。"),
    ("return", "照片不够清晰，请换用清晰的原图后重新报送。"),
    ("return", "请为每张照片补充说明后重新报送。"),
    ("reject", "含有广告或商业推广内容，不予采用。"),
    ("reject", "与已采用的稿件内容重复，不予采用。"),
    ("reject", "不属于本网站的报道范围，不予采用。"),
    ("reject", "时效性不足，不予采用。"),
    ("approve", "内容属实，同意发布。"),
)

# The audit log is only ever appended to: the database itself refuses to change or delete a row,
# whatever code (or person with a SQL prompt but not the table owner's rights) tries.
PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_GUARDS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


def upgrade() -> None:
    """Upgrade schema."""
    reasons = op.create_table('moderation_reasons',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_reasons'))
    )
    with op.batch_alter_table('moderation_reasons', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_reasons_action', ['action', 'position'], unique=False)

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # stored as naive UTC
    positions: dict[str, int] = {}
    rows = []
    for action, text in DEFAULT_REASONS:
        positions[action] = positions.get(action, 0) + 1
        rows.append({"action": action, "text": text, "position": positions[action],
                     "updated_by": "", "updated_at": now})
    op.execute(reasons.insert().values(rows))

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(PG_GUARD)
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table('moderation_reasons', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_reasons_action')

    op.drop_table('moderation_reasons')
