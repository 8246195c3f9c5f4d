"""text size

A person's chosen text size for every page (标准 / 大 / 特大), kept on the user account; existing accounts
get the standard size.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('text_size', sa.String(length=10), server_default='standard', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('text_size')
