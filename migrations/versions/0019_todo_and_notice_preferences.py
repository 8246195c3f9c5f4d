"""to-do and notice preferences

A drill participant confirms the role they were given (drill_participants.confirmed_at); each person's
choice, per kind of notice, of e-mail and inbox or the inbox only (notice_preferences).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drill_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', core.models.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'notice_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_preferences')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notice_preferences_user_id_kind')),
    )
    with op.batch_alter_table('notice_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_preferences_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notice_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_preferences_user_id'))
    op.drop_table('notice_preferences')
    with op.batch_alter_table('drill_participants', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
