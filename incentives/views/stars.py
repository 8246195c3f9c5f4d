"""服务之星 pages: selections (ranking, eligibility, nominations, HR approval) and the honour roll with
its history. Commendation certificates are served and verified by training's certificate store."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department, Employee, User
from core.auth import STAFF_ROLES, Role, login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from incentives import selection as star
from incentives.eligibility import ELIGIBILITY_RULES
from incentives.forms import ApproverForm, CorrectionForm, ReturnForm, SelectionForm
from incentives.labels import PERIOD_LABELS
from incentives.models import PeriodKind, SelectionStatus, StarApprover, StarSelection
from incentives.periods import parse_period, period_at, period_choices
from incentives.ranking import TIE_BREAKS, parse_tie_breaks
from incentives.snapshots import version_of
from incentives.views import bp
from incentives.views.loaders import staff_units


def _selection_form(units) -> SelectionForm:
    form = SelectionForm()
    form.unit_id.choices = choices([(u.id, "　" * u.depth + u.name) for u in units])
    form.tie_breaks.choices = choices([(code, tb.label) for code, tb in TIE_BREAKS.items()])
    form.period.choices = choices([(p.token, p.label) for p in period_choices(utcnow())])
    return form


@bp.get("/selections")
@role_required(*STAFF_ROLES)
def selections():
    units = staff_units(current_user)
    now = utcnow()
    form = _selection_form(units)
    defaults = star.settings()
    form.max_nominees.data = defaults.default_nominees
    form.tie_breaks.data = [c for c in defaults.tie_breaks.split(",") if c]
    form.period_kind.data = PeriodKind.QUARTER
    form.period.data = period_at(PeriodKind.QUARTER, now).token
    unit_ids = [u.id for u in units] + star.units_approved_by(current_user)
    rows = db.session.scalars(
        select(StarSelection)
        .where(StarSelection.unit_id.in_(unit_ids))
        .order_by(StarSelection.period_start.desc(), StarSelection.id.desc())
    ).all()
    return render_template(
        "incentives/selections.html",
        selections=rows,
        form=form,
        period_labels=PERIOD_LABELS,
        period_of=star.selection_period,
        approval_rule=star.APPROVAL_RULE,
        can_set_approvers=current_user.has_any_role(Role.HR, Role.ADMIN),
    )


@bp.post("/selections")
@role_required(*STAFF_ROLES)
def selection_new():
    units = staff_units(current_user)
    form = _selection_form(units)
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.unit_id.data), None)
        if unit is None:
            abort(404)
        now = utcnow()
        period = parse_period(form.period.data, form.period_kind.data, now)
        if period.token != form.period.data:
            flash(_("The chosen period is not of the chosen kind."), "danger")
            return redirect(url_for("incentives.selections"))
        with refusals_go_to(url_for("incentives.selections")):
            selection = star.open_selection(
                unit,
                period,
                user=current_user,
                max_nominees=form.max_nominees.data,
                tie_breaks=",".join(form.tie_breaks.data or []),
                now=now,
            )
        return redirect(url_for("incentives.selection_show", selection_id=selection.id))
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for("incentives.selections"))


def _load_selection(selection_id: int) -> StarSelection:
    selection = db.session.get(StarSelection, selection_id)
    if selection is None or not (
        star.can_run_selection(current_user, selection.unit)
        or star.may_approve_unit(current_user, selection.unit)
    ):
        abort(404)
    return selection


@bp.get("/selections/<int:selection_id>")
@role_required(*STAFF_ROLES)
def selection_show(selection_id: int):
    selection = _load_selection(selection_id)
    # A published selection shows its frozen ranking (the newest version, or ?version=N), never the live one.
    snapshot = version_of(selection, request.args.get("version", type=int))
    ranked = [] if snapshot is not None else star.ranked_for(selection)
    can_approve = selection.status == SelectionStatus.NOMINATED and star.can_approve_selection(
        current_user, selection
    )
    return render_template(
        "incentives/selection_show.html",
        selection=selection,
        period=star.selection_period(selection),
        candidates=ranked,
        snapshot=snapshot,
        nominated={n.employee_id: n for n in selection.nominations},
        tie_breaks=parse_tie_breaks(selection.tie_breaks),
        eligibility_rules=ELIGIBILITY_RULES,
        approval_rule=star.APPROVAL_RULE,
        approvers=star.approvers_of(selection),
        designated=star.designated_approver(selection.unit),
        can_nominate=selection.status == SelectionStatus.DRAFT
        and star.can_run_selection(current_user, selection.unit),
        can_approve=can_approve,
        is_nominator=selection.nominated_by_id == current_user.id,
        can_correct=selection.status == SelectionStatus.PUBLISHED
        and star.may_approve_unit(current_user, selection.unit),
        form=PostForm(),
        return_form=ReturnForm(),
        correct_form=CorrectionForm(),
        period_labels=PERIOD_LABELS,
    )


@bp.post("/selections/<int:selection_id>/nominate")
@role_required(*STAFF_ROLES)
def selection_nominate(selection_id: int):
    selection = _load_selection(selection_id)
    if not PostForm().validate_on_submit():
        abort(400)
    picks = []
    for raw in request.form.getlist("nominee"):
        if raw.isdigit():
            picks.append((int(raw), request.form.get(f"citation-{raw}", "")[:2000]))
    with refusals_go_to(url_for("incentives.selection_show", selection_id=selection_id)):
        star.nominate(selection, picks, user=current_user, now=utcnow())
    flash(_("Nominations sent to HR for approval."), "success")
    return redirect(url_for("incentives.selection_show", selection_id=selection_id))


@bp.post("/selections/<int:selection_id>/approve")
@role_required(*STAFF_ROLES)
def selection_approve(selection_id: int):
    selection = _load_selection(selection_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("incentives.selection_show", selection_id=selection_id)):
        star.approve_selection(selection, user=current_user, now=utcnow())
    flash(_("Approved and published on the honour roll."), "success")
    return redirect(url_for("incentives.honours"))


@bp.post("/selections/<int:selection_id>/return")
@role_required(*STAFF_ROLES)
def selection_return(selection_id: int):
    selection = _load_selection(selection_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for returning the nominations."), "danger")
        return redirect(url_for("incentives.selection_show", selection_id=selection_id))
    with refusals_go_to(url_for("incentives.selection_show", selection_id=selection_id)):
        star.return_selection(selection, user=current_user, reason=form.reason.data, now=utcnow())
    flash(_("Nominations returned to the unit."), "success")
    return redirect(url_for("incentives.selections"))


@bp.post("/selections/<int:selection_id>/correct")
@role_required(*STAFF_ROLES)
def selection_correct(selection_id: int):
    selection = _load_selection(selection_id)
    form = CorrectionForm()
    back = url_for("incentives.selection_show", selection_id=selection_id)
    if not form.validate_on_submit():
        flash(_("Give the reason for the correction."), "danger")
        return redirect(back)
    with refusals_go_to(back):
        snapshot = star.correct_selection(selection, user=current_user, reason=form.reason.data, now=utcnow())
    flash(_("Correction saved as version %(n)d.", n=snapshot.version), "success")
    return redirect(back)


@bp.route("/selections/approvers", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def selection_approvers():
    """Each unit's designated approver of service-star nominations (HR and admins set them)."""
    units = staff_units(current_user)
    form = ApproverForm()
    form.unit_id.choices = choices([(u.id, "　" * u.depth + u.name) for u in units])
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.unit_id.data), None)
        if unit is None:
            abort(404)
        number = (form.employee_no.data or "").strip().upper()
        user = None
        if number:
            user = db.session.scalar(select(User).join(User.employee).where(Employee.employee_no == number))
            if user is None:
                form.employee_no.errors.append(_("No account with this employee number."))
        if not form.errors:
            with refusals_go_to(url_for("incentives.selection_approvers")):
                star.set_designated_approver(unit, user)
            flash(_("Approver saved."), "success")
            return redirect(url_for("incentives.selection_approvers"))
    rows = db.session.scalars(
        select(StarApprover)
        .join(Department, Department.id == StarApprover.unit_id)
        .where(StarApprover.unit_id.in_([u.id for u in units]))
        .order_by(Department.path)
    ).all()
    return render_template(
        "incentives/approvers.html", form=form, rows=rows, approval_rule=star.APPROVAL_RULE
    )


@bp.get("/honours")
@login_required
def honours():
    query = (
        select(StarSelection)
        .where(StarSelection.status == SelectionStatus.PUBLISHED)
        .order_by(StarSelection.period_start.desc(), StarSelection.published_at.desc())
    )
    unit_id = request.args.get("unit", type=int)
    kind = request.args.get("kind", "")
    if unit_id:
        query = query.where(StarSelection.unit_id == unit_id)
    if kind in {k.value for k in PeriodKind}:
        query = query.where(StarSelection.period_kind == kind)
    published = db.session.scalars(query).all()
    units = db.session.scalars(
        select(Department)
        .join(StarSelection, StarSelection.unit_id == Department.id)
        .where(StarSelection.status == SelectionStatus.PUBLISHED)
        .distinct()
        .order_by(Department.path)
    ).all()
    return render_template(
        "incentives/honours.html",
        latest=published[:1],
        history=published,
        units=units,
        unit_id=unit_id,
        kind=kind,
        period_labels=PERIOD_LABELS,
        period_of=star.selection_period,
    )
