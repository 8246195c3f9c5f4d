"""to-do and notice preferences

A drill participant confirms the role they were given (drill_participants.confirmed_at).

Revision ID: 0019
Revises: 0012
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drill_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', core.models.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('drill_participants', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
