"""enemy groups

Questions that give each other away (互斥题组, issue 15 §3): a group and its members. A confirmed group
keeps two of its questions off one paper; a dismissed one records a lint proposal a trainer judged harmless.
New tables only; nothing existing changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:03:25.596017

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_enemy_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_enemy_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_enemy_groups'))
    )
    with op.batch_alter_table('question_enemy_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_enemy_groups_status'), ['status'], unique=False)

    op.create_table('question_enemy_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['question_enemy_groups.id'], name=op.f('fk_question_enemy_group_members_group_id_question_enemy_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_enemy_group_members_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'question_id', name=op.f('pk_question_enemy_group_members'))
    )
    with op.batch_alter_table('question_enemy_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_enemy_group_members_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('question_enemy_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_enemy_group_members_question_id'))

    op.drop_table('question_enemy_group_members')
    with op.batch_alter_table('question_enemy_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_enemy_groups_status'))

    op.drop_table('question_enemy_groups')
