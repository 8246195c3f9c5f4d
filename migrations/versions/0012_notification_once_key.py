"""notification once key

A notice that must reach each person once (reminders sent by periodic jobs, notices sent by retried
tasks) carries a key; a unique index on (user, kind, key) keeps a second copy out.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('once_key', sa.String(length=120), nullable=True))
        batch_op.create_index('uq_notifications_once', ['user_id', 'kind', 'once_key'], unique=True)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_once')
        batch_op.drop_column('once_key')
