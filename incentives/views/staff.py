"""Staff pages: point rules and settings, manual entries and HR's approval queue, appeals queue,
corrections, the filtered ledger with its export and charts."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select

from accounts.models import Employee
from accounts.services import covers_department, scope_clause
from core import audit
from core.auth import STAFF_ROLES, Role, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import to_local
from incentives import reporting, services
from incentives.errors import IncentiveError
from incentives.forms import ClaimForm, DecisionForm, ResolveForm, ReverseForm, RuleForm, SettingsForm
from incentives.labels import CAP_PERIOD_LABELS, CATEGORY_LABELS, PERIOD_LABELS, TRIGGER_LABELS
from incentives.models import Appeal, AppealStatus, ClaimStatus, PointClaim, PointRule, Trigger
from incentives.periods import recent_periods
from incentives.ranking import TIE_BREAKS
from incentives.selection import settings as incentive_settings
from incentives.views import bp
from incentives.views.loaders import load_entry, period_from_args, pick_unit, staff_units

# ---------------------------------------------------------------- rules and settings


@bp.get("/rules")
@role_required(Role.HR, Role.ADMIN)
def rules():
    rows = db.session.scalars(select(PointRule).order_by(PointRule.trigger, PointRule.code)).all()
    return render_template(
        "incentives/rules.html",
        rules=rows,
        trigger_labels=TRIGGER_LABELS,
        category_labels=CATEGORY_LABELS,
        period_labels=CAP_PERIOD_LABELS,
    )


def _rule_data(form: RuleForm) -> services.RuleData:
    return services.RuleData(
        code=form.code.data,
        name=form.name.data,
        description=form.description.data,
        trigger=form.trigger.data,
        category=form.category.data,
        points=form.points.data,
        evidence=form.evidence.data or "",
        cap=form.cap.data,
        cap_period=form.cap_period.data,
        threshold=form.threshold.data,
        active=form.active.data,
    )


@bp.route("/rules/new", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def rule_new():
    form = RuleForm()
    if form.validate_on_submit():
        try:
            services.save_rule(_rule_data(form))
        except IncentiveError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Rule saved."), "success")
            return redirect(url_for("incentives.rules"))
    return render_template("incentives/rule_form.html", form=form, rule=None)


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def rule_edit(rule_id: int):
    rule = db.session.get(PointRule, rule_id) or abort(404)
    form = RuleForm(obj=rule)
    if form.validate_on_submit():
        try:
            services.save_rule(_rule_data(form), rule)
        except IncentiveError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Rule saved. New awards use it; the ledger keeps what was paid."), "success")
            return redirect(url_for("incentives.rules"))
    return render_template("incentives/rule_form.html", form=form, rule=rule)


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def settings():
    row = incentive_settings()
    form = SettingsForm(obj=row)
    form.tie_breaks.choices = choices([(code, tb.label) for code, tb in TIE_BREAKS.items()])
    if request.method == "GET":
        form.tie_breaks.data = [c for c in row.tie_breaks.split(",") if c]
    if form.validate_on_submit():
        row.employee_top_n = form.employee_top_n.data
        row.default_nominees = form.default_nominees.data
        row.tie_breaks = ",".join(form.tie_breaks.data or [])
        flash(_("Settings saved."), "success")
        return redirect(url_for("incentives.settings"))
    return render_template("incentives/settings.html", form=form)


# ---------------------------------------------------------------- manual entries


def _manual_rules() -> list[PointRule]:
    return list(
        db.session.scalars(
            select(PointRule)
            .where(PointRule.trigger == Trigger.MANUAL, PointRule.active)
            .order_by(PointRule.code)
        )
    )


@bp.route("/claims/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def claim_new():
    form = ClaimForm()
    form.rule_id.choices = choices([(r.id, f"{r.name} ({r.points:+})") for r in _manual_rules()])
    if request.method == "GET" and request.args.get("employee_no"):
        form.employee_no.data = request.args["employee_no"]
    if form.validate_on_submit():
        employee = db.session.scalar(
            select(Employee).where(Employee.employee_no == form.employee_no.data.strip().upper())
        )
        rule = db.session.get(PointRule, form.rule_id.data)
        if employee is None or not services.staff_covers(current_user, employee):
            form.employee_no.errors.append(_("No employee with this number in your scope."))
        else:
            upload = form.attachment.data
            try:
                attachment = services.store_attachment(
                    upload.read(services.ATTACHMENT_MAX_BYTES + 1), upload.filename
                )
                claim = services.create_claim(
                    employee=employee,
                    rule=rule,
                    occurred_on=form.occurred_on.data,
                    evidence_text=form.evidence_text.data,
                    attachment=attachment,
                    author=current_user,
                    now=utcnow(),
                )
            except IncentiveError as exc:
                form.attachment.errors.append(str(exc))
            else:
                flash(_("The entry waits for HR approval."), "success")
                return redirect(url_for("incentives.claim_show", claim_id=claim.id))
    return render_template("incentives/claim_form.html", form=form)


def _claims_query(status: str):
    role = reporting.staff_role(current_user)
    query = (
        select(PointClaim)
        .join(Employee, Employee.id == PointClaim.employee_id)
        .where(scope_clause(current_user, role, Employee.department_id))
    )
    if role == Role.TRAINER:
        query = query.where(PointClaim.entered_by_id == current_user.id)
    if status in {s.value for s in ClaimStatus}:
        query = query.where(PointClaim.status == status)
    return query.order_by(PointClaim.entered_at.desc())


@bp.get("/claims")
@role_required(*STAFF_ROLES)
def claims():
    status = request.args.get("status", ClaimStatus.PENDING)
    pagination = db.paginate(_claims_query(status), per_page=30, error_out=False)
    return render_template(
        "incentives/claims.html",
        pagination=pagination,
        status=status,
        can_decide={c.id: services.can_decide_claim(current_user, c) for c in pagination.items},
    )


def _load_claim(claim_id: int) -> PointClaim:
    claim = db.session.get(PointClaim, claim_id)
    if claim is None or not services.staff_covers(current_user, claim.employee):
        abort(404)
    if not current_user.has_any_role(Role.HR, Role.ADMIN) and claim.entered_by_id != current_user.id:
        abort(404)
    return claim


@bp.get("/claims/<int:claim_id>")
@role_required(*STAFF_ROLES)
def claim_show(claim_id: int):
    claim = _load_claim(claim_id)
    return render_template(
        "incentives/claim_show.html",
        claim=claim,
        can_decide=claim.status == ClaimStatus.PENDING and services.can_decide_claim(current_user, claim),
        form=DecisionForm(),
    )


@bp.post("/claims/<int:claim_id>/decide")
@role_required(Role.HR)
def claim_decide(claim_id: int):
    claim = _load_claim(claim_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("incentives.claim_show", claim_id=claim_id)):
        services.decide_claim(
            claim,
            approver=current_user,
            approve=bool(form.approve.data),
            reason=form.reason.data or "",
            now=utcnow(),
        )
    flash(_("Entry approved.") if claim.status == ClaimStatus.APPROVED else _("Entry rejected."), "success")
    return redirect(url_for("incentives.claims"))


@bp.get("/claims/<int:claim_id>/attachment")
@role_required(*STAFF_ROLES)
def claim_attachment(claim_id: int):
    claim = _load_claim(claim_id)
    path = services.attachment_file(claim)
    if path is None:
        abort(404)
    audit.record("point_claim.attachment_read", claim)
    return send_file(
        BytesIO(path.read_bytes()),
        mimetype=claim.attachment_type,
        as_attachment=True,
        download_name=f"evidence-{claim.id}.{path.suffix.lstrip('.')}",
    )


# ---------------------------------------------------------------- appeals and corrections


@bp.get("/appeals")
@role_required(Role.HR)
def appeals():
    status = request.args.get("status", AppealStatus.OPEN)
    query = (
        select(Appeal)
        .join(Employee, Employee.id == Appeal.employee_id)
        .where(scope_clause(current_user, Role.HR, Employee.department_id))
        .order_by(Appeal.filed_at)
    )
    if status in {s.value for s in AppealStatus}:
        query = query.where(Appeal.status == status)
    pagination = db.paginate(query, per_page=30, error_out=False)
    return render_template("incentives/appeals.html", pagination=pagination, status=status)


@bp.post("/appeals/<int:appeal_id>/resolve")
@role_required(Role.HR)
def appeal_resolve(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not covers_department(current_user, Role.HR, appeal.employee.department):
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash(_("Write the decision and its reason."), "danger")
        return redirect(url_for("incentives.appeal_show", appeal_id=appeal_id))
    with refusals_go_to(url_for("incentives.appeal_show", appeal_id=appeal_id)):
        services.resolve_appeal(
            appeal,
            user=current_user,
            uphold=bool(form.uphold.data),
            resolution=form.resolution.data,
            now=utcnow(),
        )
    flash(_("Appeal resolved; the employee has been told."), "success")
    return redirect(url_for("incentives.appeals"))


@bp.post("/entries/<int:entry_id>/reverse")
@role_required(Role.HR)
def entry_reverse(entry_id: int):
    entry = load_entry(entry_id)
    form = ReverseForm()
    back = url_for("incentives.employee_points", employee_id=entry.employee_id)
    if not form.validate_on_submit():
        flash(_("A correction needs a reason."), "danger")
        return redirect(back)
    with refusals_go_to(back):
        services.correct_entry(entry, user=current_user, reason=form.reason.data, now=utcnow())
    flash(_("A reversing entry was added."), "success")
    return redirect(back)


# ---------------------------------------------------------------- ledger, export, charts


def _filters(now: dt.datetime) -> tuple[reporting.LedgerFilter, list, list]:
    units = staff_units(current_user)
    unit = pick_unit(units, None)
    period = period_from_args(now) if request.args.get("period") else None
    rule_id = request.args.get("rule", type=int)
    filters = reporting.LedgerFilter(
        unit=unit, period=period, rule_id=rule_id, q=request.args.get("q", "").strip()
    )
    rules_list = db.session.scalars(select(PointRule).order_by(PointRule.code)).all()
    return filters, units, rules_list


@bp.get("/ledger")
@role_required(Role.HR, Role.ADMIN)
def ledger_view():
    now = utcnow()
    filters, units, rules_list = _filters(now)
    pagination = db.paginate(reporting.ledger_query(current_user, filters), per_page=50, error_out=False)
    year = filters.period.start.year if filters.period else to_local(now).year
    by_rule = reporting.points_by_rule(current_user, filters)
    by_month = reporting.points_by_month(current_user, filters, year)
    names = reporting.month_names()
    total = db.session.scalar(
        reporting.ledger_query(current_user, filters).order_by(None).with_only_columns(func.count())
    )
    kind = request.args.get("kind", "quarter")
    return render_template(
        "incentives/ledger.html",
        pagination=pagination,
        filters=filters,
        units=units,
        rules=rules_list,
        kind=kind,
        periods=recent_periods(kind if kind in PERIOD_LABELS else "quarter", now, 12),
        period_labels=CAP_PERIOD_LABELS,
        total=total,
        chart_rule=reporting.bar_chart_svg(by_rule, title=_("Points by rule")),
        chart_month=reporting.bar_chart_svg(
            [(names[m - 1], v) for m, v in by_month], title=_("Points by month, %(year)d", year=year)
        ),
    )


@bp.get("/ledger.xlsx")
@role_required(Role.HR, Role.ADMIN)
def ledger_export():
    filters, _units, _rules = _filters(utcnow())
    data = reporting.export_xlsx(current_user, filters)
    audit.record(
        "incentives.ledger_export",
        unit=filters.unit.id if filters.unit else None,
        period=filters.period.token if filters.period else None,
        rule=filters.rule_id,
    )
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="points-ledger.xlsx",
    )
