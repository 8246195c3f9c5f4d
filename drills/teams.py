"""Emergency teams (应急队伍): who maintains them, their members, and picking a team into a drill.

Who: trainers over the team's department and admins create and edit teams and their members (the same
rule as for the department's drills, ``accounts.services.can_manage_unit``); HR over the department reads
them; everyone else gets 404. A member must belong to a department the editor manages. Every change is in
the audit log (the models are audited).

Picking a team into a drill adds each member active on the drill's date as 参演 (player) and records
the team on the participant, so the participant list shows the team and the member's team role. The team
role is not mapped to 总指挥/导调/评估员: those run or judge the exercise, while a team's leader leads
the team inside it; the planner names the drill's commander, controllers and evaluators as before. A
member who already takes part in the drill (in any role) is left as they are and counted as skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import Department, Employee, EmployeeStatus, User
from accounts.services import can_manage_unit, covers_department, scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.timeutil import local_date
from drills import access, services
from drills.errors import DrillError
from drills.models import Drill, DrillParticipant, ParticipantRole
from drills.team_models import EmergencyTeam, TeamMember, TeamRole

TEAM_DRILL_ROLE = ParticipantRole.PLAYER


# ---------------------------------------------------------------- who


def can_manage_team(user: User, team: EmergencyTeam) -> bool:
    """Trainers over the team's department and admins edit the team."""
    return can_manage_unit(user, team.department_id)


def can_view_team(user: User, team: EmergencyTeam) -> bool:
    """Editors, and HR over the team's department, see the team."""
    return can_manage_team(user, team) or (
        user.has_any_role(Role.HR) and covers_department(user, Role.HR, team.department)
    )


def visible_teams(user: User) -> list[EmergencyTeam]:
    """The teams of the departments ``user`` covers as trainer, HR or admin, by department then name."""
    return list(
        db.session.scalars(
            select(EmergencyTeam)
            .join(Department, EmergencyTeam.department_id == Department.id)
            .where(access.staff_scope_clause(user, EmergencyTeam.department_id))
            .options(selectinload(EmergencyTeam.members).selectinload(TeamMember.employee))
            .order_by(Department.path, EmergencyTeam.name)
        )
    )


def team_departments(user: User) -> list[Department]:
    """The departments ``user`` may create teams in (trainer scope; admins: all)."""
    query = select(Department).order_by(Department.path)
    if not user.has_any_role(Role.ADMIN):
        query = query.where(scope_clause(user, Role.TRAINER, Department.id))
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- teams


def _clean_name(department: Department, name: str, team: EmergencyTeam | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise DrillError(_("Give the team a name."))
    if len(name) > 100:
        raise DrillError(_("The team's name is longer than 100 characters."))
    clash = db.session.scalar(
        select(EmergencyTeam.id).where(
            EmergencyTeam.department_id == department.id,
            EmergencyTeam.name == name,
            EmergencyTeam.id != (team.id if team else -1),
        )
    )
    if clash:
        raise DrillError(
            _("%(department)s already has a team named %(name)s.", department=department.name, name=name)
        )
    return name


def create_team(department: Department, name: str, duties: str = "") -> EmergencyTeam:
    """A new emergency team of ``department``."""
    team = EmergencyTeam(
        department=department, name=_clean_name(department, name), duties=(duties or "").strip()
    )
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: EmergencyTeam, name: str, duties: str, active: bool) -> None:
    """Rename the team, rewrite its duties, or stand it down (inactive teams leave the board)."""
    team.name = _clean_name(team.department, name, team)
    team.duties = (duties or "").strip()
    team.active = bool(active)
    db.session.flush()


# ---------------------------------------------------------------- members


def _role(role: str) -> str:
    if role not in {r.value for r in TeamRole}:
        raise DrillError(_("Unknown team role."))
    return role


def add_member(team: EmergencyTeam, employee: Employee, role: str, joined_on: dt.date) -> TeamMember:
    """Put ``employee`` on the team from ``joined_on``; someone who left the team is taken back on the
    same row (the earlier dates are in the audit log)."""
    role = _role(role)
    if employee.status == EmployeeStatus.LEFT:
        raise DrillError(_("%(name)s has left the company.", name=employee.name))
    member = next((m for m in team.members if m.employee_id == employee.id), None)
    if member is not None and member.left_on is None:
        raise DrillError(_("%(name)s is already on this team.", name=employee.name))
    if member is None:
        member = TeamMember(employee=employee)
        team.members.append(member)
    member.role, member.joined_on, member.left_on = role, joined_on, None
    db.session.flush()
    return member


def change_member(member: TeamMember, role: str, left_on: dt.date | None) -> None:
    """Change a member's team role, or end the membership on ``left_on`` (empty: still on the team)."""
    member.role = _role(role)
    if left_on is not None and left_on < member.joined_on:
        raise DrillError(
            _(
                "%(name)s cannot leave before joining (%(day)s).",
                name=member.employee.name,
                day=member.joined_on,
            )
        )
    member.left_on = left_on
    db.session.flush()


def active_members(team: EmergencyTeam, day: dt.date) -> list[TeamMember]:
    """The members on the team on ``day`` who still work for the company, leader first."""
    order = {r.value: n for n, r in enumerate(TeamRole)}
    return sorted(
        (m for m in team.members if m.active_on(day) and m.employee.status != EmployeeStatus.LEFT),
        key=lambda m: (order.get(m.role, 99), m.employee.employee_no),
    )


def teams_of(employee_id: int | None, day: dt.date) -> list[TeamMember]:
    """An employee's current team memberships (for their dashboard)."""
    if employee_id is None:
        return []
    rows = db.session.scalars(
        select(TeamMember)
        .join(EmergencyTeam)
        .where(TeamMember.employee_id == employee_id, EmergencyTeam.active.is_(True))
        .options(selectinload(TeamMember.team).selectinload(EmergencyTeam.department))
    )
    return [m for m in rows if m.active_on(day)]


# ---------------------------------------------------------------- a team into a drill


@dataclass
class TeamPick:
    added: list[DrillParticipant]
    skipped: list[Employee]  # already in the drill


def pick_team(drill: Drill, team: EmergencyTeam) -> TeamPick:
    """Add the team's members active on the drill's date as 参演, each marked with the team; members
    already taking part in the drill are skipped."""
    if not team.active:
        raise DrillError(_("The team %(name)s is stood down.", name=team.name))
    members = active_members(team, local_date(drill.starts_at))
    if not members:
        raise DrillError(_("The team %(name)s has no members on the drill's date.", name=team.name))
    present = {p.employee_id for p in drill.participants}
    added, skipped = [], []
    for member in members:
        if member.employee_id in present:
            skipped.append(member.employee)
            continue
        participant = services.add_participant(drill, member.employee, TEAM_DRILL_ROLE)
        participant.team_id = team.id
        added.append(participant)
    db.session.flush()
    return TeamPick(added, skipped)


def pickable_teams(user: User, drill: Drill) -> list[EmergencyTeam]:
    """The active teams ``user`` manages (by department scope), for the drill page's pick-by-team list;
    the drill's own unit's teams first."""
    teams = [t for t in visible_teams(user) if t.active and can_manage_team(user, t)]
    unit_path = drill.unit.path or ""
    return sorted(
        teams, key=lambda t: (not (t.department.path or "").startswith(unit_path), t.department.path, t.name)
    )
