"""drill conduct: inject release/skip, observations, timing checks, hotwash feedback, objectives, after-action meeting

The conduct console records when each inject was released or skipped (and unplanned injects); the
observation log, the evaluators' confirmed timings and the participants' feedback get their tables.
Drills get structured objectives linked to criteria. Existing injects stay pending (never released),
existing drills get anonymous feedback and keep their free-text objectives.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_anonymous', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('drill_injects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unplanned', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('released_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('released_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('skipped_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('skipped_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('skip_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key('fk_drill_injects_released_by_id_users', 'users', ['released_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_drill_injects_skipped_by_id_users', 'users', ['skipped_by_id'], ['id'], ondelete='SET NULL')

    op.create_table(
        'drill_observations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drill_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('observed_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('inject_id', sa.Integer(), nullable=True),
        sa.Column('criterion_ids', sa.JSON(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['employees.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['inject_id'], ['drill_injects.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['photo_id'], ['training_files.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('drill_id', 'client_id'),
    )
    op.create_index('ix_drill_observations_drill_id', 'drill_observations', ['drill_id'])

    op.create_table(
        'drill_timing_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drill_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.Column('computed_minutes', sa.Integer(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['criterion_id'], ['drill_criteria.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('drill_id', 'criterion_id'),
    )
    op.create_index('ix_drill_timing_checks_drill_id', 'drill_timing_checks', ['drill_id'])

    op.create_table(
        'drill_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drill_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('went_well', sa.Text(), nullable=False),
        sa.Column('to_improve', sa.Text(), nullable=False),
        sa.Column('ratings', sa.JSON(), nullable=False),
        sa.Column('submitted_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('drill_id', 'employee_id'),
    )
    op.create_index('ix_drill_feedback_drill_id', 'drill_feedback', ['drill_id'])

    op.create_table(
        'drill_objectives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drill_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_drill_objectives_drill_id', 'drill_objectives', ['drill_id'])
    op.create_table(
        'drill_objective_criteria',
        sa.Column('objective_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['criterion_id'], ['drill_criteria.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['objective_id'], ['drill_objectives.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('objective_id', 'criterion_id'),
    )

    op.create_table(
        'drill_meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drill_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('attendees', sa.Text(), nullable=False),
        sa.Column('decisions', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('drill_id'),
    )


def downgrade():
    op.drop_table('drill_meetings')
    op.drop_table('drill_objective_criteria')
    op.drop_index('ix_drill_objectives_drill_id', table_name='drill_objectives')
    op.drop_table('drill_objectives')
    op.drop_index('ix_drill_feedback_drill_id', table_name='drill_feedback')
    op.drop_table('drill_feedback')
    op.drop_index('ix_drill_timing_checks_drill_id', table_name='drill_timing_checks')
    op.drop_table('drill_timing_checks')
    op.drop_index('ix_drill_observations_drill_id', table_name='drill_observations')
    op.drop_table('drill_observations')
    with op.batch_alter_table('drill_injects', schema=None) as batch_op:
        batch_op.drop_constraint('fk_drill_injects_skipped_by_id_users', type_='foreignkey')
        batch_op.drop_constraint('fk_drill_injects_released_by_id_users', type_='foreignkey')
        batch_op.drop_column('skip_reason')
        batch_op.drop_column('skipped_by_id')
        batch_op.drop_column('skipped_at')
        batch_op.drop_column('released_by_id')
        batch_op.drop_column('released_at')
        batch_op.drop_column('unplanned')
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.drop_column('feedback_anonymous')
