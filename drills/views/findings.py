"""Findings of a drill and the corrective actions: drafting, severities, assignment, status workflow."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from core.auth import STAFF_ROLES, Role, login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_date
from drills import access, improvement, services
from drills.errors import DrillError
from drills.evaluation_models import CorrectiveAction, Finding
from drills.forms import ActionForm, ActionStatusForm, FindingForm, SeverityForm
from drills.labels import ACTION_STATUS_LABELS
from drills.models import Drill
from drills.views import bp
from drills.views.common import employee_by_no, load_action, load_managed

MANAGERS = (Role.TRAINER, Role.ADMIN)


def _findings_page(drill: Drill) -> str:
    return url_for("drills.findings", drill_id=drill.id)


@bp.get("/<int:drill_id>/findings")
@role_required(*MANAGERS)
def findings(drill_id: int):
    drill = load_managed(drill_id)
    return render_template(
        "drills/findings.html",
        drill=drill,
        findings=services.findings_of(drill),
        post=PostForm(),
        finding_form=FindingForm(),
        action_form=ActionForm(),
        severity_form=SeverityForm(),
        missing=services.missing_actions(drill),
        today=local_date(utcnow()),
    )


@bp.post("/<int:drill_id>/findings/draft")
@role_required(*MANAGERS)
def draft_findings(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_findings_page(drill)):
        created = improvement.draft_findings(drill, utcnow())
    flash(_("%(n)d findings drafted from the ratings.", n=len(created)), "success")
    return redirect(_findings_page(drill))


@bp.post("/<int:drill_id>/findings")
@role_required(*MANAGERS)
def add_finding(drill_id: int):
    drill = load_managed(drill_id)
    form = FindingForm()
    with refusals_go_to(_findings_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("A finding needs a title."))
        improvement.add_finding(
            drill,
            kind=form.kind.data,
            severity=form.severity.data,
            element=form.element.data,
            title=form.title.data,
            description=form.description.data or "",
            recommendation=form.recommendation.data or "",
            now=utcnow(),
        )
    flash(_("Finding added."), "success")
    return redirect(_findings_page(drill))


def _finding(drill, finding_id: int) -> Finding:
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.drill_id != drill.id:
        abort(404)
    return finding


@bp.post("/<int:drill_id>/findings/<int:finding_id>/severity")
@role_required(*MANAGERS)
def set_severity(drill_id: int, finding_id: int):
    drill = load_managed(drill_id)
    finding = _finding(drill, finding_id)
    form = SeverityForm()
    with refusals_go_to(_findings_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("Choose a severity and an element."))
        improvement.set_severity(finding, form.severity.data, form.element.data, utcnow())
    flash(_("Severity saved."), "success")
    return redirect(_findings_page(drill))


@bp.post("/<int:drill_id>/findings/<int:finding_id>/delete")
@role_required(*MANAGERS)
def delete_finding(drill_id: int, finding_id: int):
    drill = load_managed(drill_id)
    finding = _finding(drill, finding_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_findings_page(drill)):
        improvement.delete_finding(finding)
    flash(_("Finding deleted."), "success")
    return redirect(_findings_page(drill))


@bp.post("/<int:drill_id>/findings/<int:finding_id>/actions")
@role_required(*MANAGERS)
def assign_action(drill_id: int, finding_id: int):
    drill = load_managed(drill_id)
    finding = _finding(drill, finding_id)
    form = ActionForm()
    with refusals_go_to(_findings_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("An action needs an owner, a description and a valid date."))
        owner = employee_by_no(form.owner_no.data)
        if owner is None:
            raise DrillError(_("No employee has this number."))
        improvement.assign_action(
            finding,
            owner=owner,
            description=form.description.data,
            due_date=form.due_date.data,
            actor=current_user.employee,
            now=utcnow(),
        )
    flash(_("Action assigned to %(name)s.", name=owner.name), "success")
    return redirect(_findings_page(drill))


@bp.get("/actions")
@login_required
def my_actions():
    """The user's own actions, and for trainers/HR/admins the actions of the drills they may see."""
    query = select(CorrectiveAction).join(Finding).join(Drill, Drill.id == Finding.drill_id)
    condition = CorrectiveAction.owner_id == current_user.employee_id
    if current_user.has_any_role(*STAFF_ROLES):
        condition = or_(condition, access.visible_drills_clause(current_user))
    actions = db.session.scalars(query.where(condition).order_by(CorrectiveAction.due_date)).all()
    return render_template("drills/actions.html", actions=actions, today=local_date(utcnow()))


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def action(action_id: int):
    item = load_action(action_id)
    drill = item.finding.drill
    is_manager = access.can_manage(current_user, drill)
    is_owner = item.owner_id == current_user.employee_id
    moves = improvement.allowed_moves(item, is_owner=is_owner, is_manager=is_manager)
    form = ActionStatusForm()
    form.to.choices = choices([(m, ACTION_STATUS_LABELS[m]) for m in sorted(moves)])
    if form.validate_on_submit():
        try:
            improvement.change_status(
                item,
                form.to.data,
                actor=current_user.employee,
                is_manager=is_manager,
                reason=form.reason.data or "",
                evidence=form.evidence.data or None,
                new_due=form.new_due.data,
                now=utcnow(),
            )
        except DrillError as exc:  # shown above the form again; nothing was changed
            flash(str(exc), "danger")
        else:
            flash(_("Action updated."), "success")
            return redirect(url_for("drills.action", action_id=item.id))
    elif form.is_submitted() and moves:
        flash(_("Choose a valid next step."), "danger")
    if not form.evidence.data:
        form.evidence.data = item.evidence
    return render_template(
        "drills/action.html",
        action=item,
        drill=drill,
        form=form,
        moves=moves,
        needs=improvement.fields_needed(item, moves),
        today=local_date(utcnow()),
        can_see_drill=access.can_view(current_user, drill),
    )
