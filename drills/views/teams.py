"""Emergency teams (应急队伍): the list, a team's page with its members, and picking a team into a drill.
Trainers (in scope) and admins edit; HR in scope reads; a team outside the user's scope answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accounts.services import can_manage_unit
from core.auth import STAFF_ROLES, Role, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_date
from drills import teams
from drills.errors import DrillError
from drills.forms import NewTeamForm, TeamForm, TeamMemberChangeForm, TeamMemberForm, TeamPickForm
from drills.team_models import EmergencyTeam, TeamMember
from drills.views import bp
from drills.views.common import employee_by_no, load_managed

EDITORS = (Role.TRAINER, Role.ADMIN)


def _team(team_id: int, *, edit: bool) -> EmergencyTeam:
    """The team if the user may see it (edit: may change it); 404 otherwise, so a team outside the
    user's scope is not revealed."""
    team = db.session.get(
        EmergencyTeam,
        team_id,
        options=[selectinload(EmergencyTeam.members).selectinload(TeamMember.employee)],
    )
    allowed = teams.can_manage_team if edit else teams.can_view_team
    if team is None or not allowed(current_user, team):
        abort(404)
    return team


def _team_page(team: EmergencyTeam) -> str:
    return url_for("drills.team", team_id=team.id)


def _new_team_form() -> NewTeamForm:
    form = NewTeamForm()
    form.department.choices = choices((d.id, d.name) for d in teams.team_departments(current_user))
    return form


@bp.get("/teams")
@role_required(*STAFF_ROLES)
def team_list():
    editable = current_user.has_any_role(*EDITORS)
    return render_template(
        "drills/teams.html",
        teams=teams.visible_teams(current_user),
        today=local_date(utcnow()),
        form=_new_team_form() if editable else None,
        active_members=teams.active_members,
    )


@bp.post("/teams")
@role_required(*EDITORS)
def team_create():
    form = _new_team_form()
    with refusals_go_to(url_for("drills.team_list")):
        if not form.validate_on_submit():
            raise DrillError(_("Choose a department and give the team a name."))
        department = next(d for d in teams.team_departments(current_user) if d.id == form.department.data)
        team = teams.create_team(department, form.name.data, form.duties.data)
    flash(_("Team %(name)s created; add its members.", name=team.name), "success")
    return redirect(_team_page(team))


@bp.get("/teams/<int:team_id>")
@role_required(*STAFF_ROLES)
def team(team_id: int):
    item = _team(team_id, edit=False)
    editable = teams.can_manage_team(current_user, item)
    today = local_date(utcnow())
    team_form = member_form = None
    if editable:
        team_form = TeamForm(obj=item)
        member_form = TeamMemberForm()
        member_form.joined_on.data = today
    return render_template(
        "drills/team.html",
        team=item,
        today=today,
        editable=editable,
        team_form=team_form,
        member_form=member_form,
        change_form=TeamMemberChangeForm,
        active=teams.active_members(item, today),
        past=[m for m in item.members if not m.active_on(today)],
    )


@bp.post("/teams/<int:team_id>")
@role_required(*EDITORS)
def team_update(team_id: int):
    item = _team(team_id, edit=True)
    form = TeamForm()
    with refusals_go_to(_team_page(item)):
        if not form.validate_on_submit():
            raise DrillError(_("Give the team a name."))
        teams.update_team(item, form.name.data, form.duties.data, form.active.data)
    flash(_("Team saved."), "success")
    return redirect(_team_page(item))


@bp.post("/teams/<int:team_id>/members")
@role_required(*EDITORS)
def team_add_member(team_id: int):
    item = _team(team_id, edit=True)
    form = TeamMemberForm()
    with refusals_go_to(_team_page(item)):
        if not form.validate_on_submit():
            raise DrillError(_("Enter an employee number, a team role and the date the member joins."))
        employee = employee_by_no(form.employee_no.data)
        # someone outside the editor's departments is not revealed: the same answer as an unknown number
        if employee is None or not can_manage_unit(current_user, employee.department_id):
            raise DrillError(_("No employee in your departments has this number."))
        teams.add_member(item, employee, form.role.data, form.joined_on.data)
    flash(_("%(name)s added.", name=employee.name), "success")
    return redirect(_team_page(item))


@bp.post("/teams/<int:team_id>/members/<int:member_id>")
@role_required(*EDITORS)
def team_change_member(team_id: int, member_id: int):
    item = _team(team_id, edit=True)
    member = next((m for m in item.members if m.id == member_id), None)
    if member is None:
        abort(404)
    form = TeamMemberChangeForm(prefix=f"m{member.id}")
    with refusals_go_to(_team_page(item)):
        if not form.validate_on_submit():
            raise DrillError(_("Choose a team role; a leaving date is a date like 2026-12-31."))
        teams.change_member(member, form.role.data, form.left_on.data)
    flash(_("%(name)s saved.", name=member.employee.name), "success")
    return redirect(_team_page(item))


@bp.post("/<int:drill_id>/participants/team")
@role_required(*EDITORS)
def add_team(drill_id: int):
    drill = load_managed(drill_id)
    form = team_pick_form(drill)
    page = url_for("drills.show", drill_id=drill.id)
    picked_team = _team(request.form.get("team", type=int) or 0, edit=True)
    with refusals_go_to(page):
        if not form.validate_on_submit():
            raise DrillError(_("Choose a team."))
        picked = teams.pick_team(drill, picked_team)
    flash(
        _(
            "%(added)d team members added as players; %(skipped)d already take part.",
            added=len(picked.added),
            skipped=len(picked.skipped),
        ),
        "success",
    )
    return redirect(page)


def team_pick_form(drill) -> TeamPickForm:
    """The drill page's pick-by-team form, offering the teams the user manages."""
    form = TeamPickForm()
    form.team.choices = choices(
        (t.id, f"{t.department.name} · {t.name}") for t in teams.pickable_teams(current_user, drill)
    )
    return form
