"""HR's daily work: frozen service-star rankings, designated approvers, the audit log's affected person

- ``audit_entries.subject_employee_id``: the employee an entry is about (searchable by 工号); entries written
  before this revision have none (the log still finds them by the person who acted).

- ``star_approvers``: a unit's designated approver of service-star nominations (besides HR covering
  the unit and administrators), for a unit with one HR officer.
- ``star_snapshots`` / ``star_snapshot_lines``: a published selection's ranking frozen at publication,
  each correction a new version. Selections published before this revision have no frozen ranking; their
  page shows the nominees only (the live ranking is not a record of what was published).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_employee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_subject_employee_id'), ['subject_employee_id'], unique=False)

    op.create_table(
        'star_approvers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['departments.id'], name=op.f('fk_star_approvers_unit_id_departments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_star_approvers_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_star_approvers')),
        sa.UniqueConstraint('unit_id', name=op.f('uq_star_approvers_unit_id')),
    )
    with op.batch_alter_table('star_approvers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_approvers_user_id'), ['user_id'], unique=False)

    op.create_table(
        'star_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('selection_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('taken_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['selection_id'], ['star_selections.id'], name=op.f('fk_star_snapshots_selection_id_star_selections'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_star_snapshots_taken_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_star_snapshots')),
        sa.UniqueConstraint('selection_id', 'version', name=op.f('uq_star_snapshots_selection_id_version')),
    )
    op.create_table(
        'star_snapshot_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('employee_no', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('department', sa.String(length=100), nullable=False),
        sa.Column('points', sa.Numeric(precision=9, scale=1), nullable=False),
        sa.Column('complaints', sa.Integer(), nullable=False),
        sa.Column('exam_average', sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('nominated', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_star_snapshot_lines_employee_id_employees'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['snapshot_id'], ['star_snapshots.id'], name=op.f('fk_star_snapshot_lines_snapshot_id_star_snapshots'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_star_snapshot_lines')),
    )
    with op.batch_alter_table('star_snapshot_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_snapshot_lines_snapshot_id'), ['snapshot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('star_snapshot_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_snapshot_lines_snapshot_id'))
    op.drop_table('star_snapshot_lines')
    op.drop_table('star_snapshots')
    with op.batch_alter_table('star_approvers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_approvers_user_id'))
    op.drop_table('star_approvers')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_subject_employee_id'))
        batch_op.drop_column('subject_employee_id')
