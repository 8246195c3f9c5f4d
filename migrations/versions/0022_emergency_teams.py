"""emergency teams

Emergency teams (应急队伍) of a department with dated members and team roles; the team a drill
participant was picked with; the months without a drill after which a team member is listed on the
compliance board (12).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-02 11:00:00

"""

from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "drill_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_drill_teams_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_teams")),
        sa.UniqueConstraint("department_id", "name", name=op.f("uq_drill_teams_department_id_name")),
    )
    with op.batch_alter_table("drill_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_teams_department_id"), ["department_id"], unique=False)

    op.create_table(
        "drill_team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_drill_team_members_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["drill_teams.id"],
            name=op.f("fk_drill_team_members_team_id_drill_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_team_members")),
        sa.UniqueConstraint("team_id", "employee_id", name=op.f("uq_drill_team_members_team_id_employee_id")),
    )
    with op.batch_alter_table("drill_team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_team_members_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_team_members_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("drill_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_drill_participants_team_id_drill_teams"),
            "drill_teams",
            ["team_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("drill_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_lapse_months", sa.Integer(), server_default="12", nullable=False))


def downgrade():
    with op.batch_alter_table("drill_settings", schema=None) as batch_op:
        batch_op.drop_column("team_lapse_months")

    with op.batch_alter_table("drill_participants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_drill_participants_team_id_drill_teams"), type_="foreignkey")
        batch_op.drop_column("team_id")

    with op.batch_alter_table("drill_team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_team_members_team_id"))
        batch_op.drop_index(batch_op.f("ix_drill_team_members_employee_id"))
    op.drop_table("drill_team_members")

    with op.batch_alter_table("drill_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_teams_department_id"))
    op.drop_table("drill_teams")
