"""attendance before hours

Enrolments record a late arrival, the check-out and when attendance was confirmed; sessions say whether
they take walk-ins. Enrolments already completed count as confirmed at their completion.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:50:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('checked_out_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', core.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_ins', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE enrolments SET confirmed_at = completed_at WHERE completed_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('walk_ins')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('checked_out_at')
        batch_op.drop_column('late')
