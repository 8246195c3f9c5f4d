"""Trainer and HR pages: plans (viewing, cloning) and coverage, qualification records and the matrix."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department, Employee, Position
from accounts.services import can_manage_unit, covers_department, departments_in_scope, scope_clause
from core import audit
from core.auth import STAFF_ROLES, Role, login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_date
from training import qualifications as quals
from training import services
from training.errors import QualificationError, UploadError
from training.expiry import EXPIRING_DAYS, STATUS_BADGES
from training.forms import ClonePlanForm, ExternalRecordForm, RevokeForm
from training.labels import MATRIX_FLAGS, PERIOD_LABELS, STATUS_LABELS
from training.models import CertificateType, QualificationRecord, TrainingPlan
from training.uploads import SCAN_MAX_BYTES, SCAN_TYPES, file_path, offered_name, store_upload
from training.views import MANAGERS, bp

HR_ROLES = (Role.HR, Role.ADMIN)


def _hr_role() -> str:
    return Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.HR


# ---------------------------------------------------------------- plans and coverage


@bp.get("/plans")
@role_required(*STAFF_ROLES)
def plans():
    query = select(TrainingPlan).where(services.staff_scope(current_user, TrainingPlan.unit_id))
    rows = db.session.scalars(query.order_by(TrainingPlan.year.desc(), TrainingPlan.unit_id)).all()
    today = local_date(utcnow())
    return render_template(
        "training/plans.html",
        plans=[(p, services.plan_summary(p, today)) for p in rows],
        periods=PERIOD_LABELS,
        can_create=current_user.has_any_role(*MANAGERS),
    )


def _load_plan(plan_id: int) -> TrainingPlan:
    plan = db.session.get(TrainingPlan, plan_id)
    if plan is None or not services.can_view_unit(current_user, plan.unit_id):
        abort(404)
    return plan


@bp.get("/plans/<int:plan_id>")
@role_required(*STAFF_ROLES)
def plan_detail(plan_id: int):
    plan = _load_plan(plan_id)
    today = local_date(utcnow())
    return render_template(
        "training/plan.html",
        plan=plan,
        progress=services.item_progress(plan, today),
        coverage=services.plan_coverage(plan),
        summary=services.plan_summary(plan, today),
        can_manage=can_manage_unit(current_user, plan.unit_id),
        clone_form=ClonePlanForm(year=plan.year + 1),
        post_form=PostForm(),
        periods=PERIOD_LABELS,
    )


@bp.post("/plans/<int:plan_id>/clone")
@role_required(*MANAGERS)
def plan_clone(plan_id: int):
    plan = _load_plan(plan_id)
    if not can_manage_unit(current_user, plan.unit_id):
        abort(404)
    form = ClonePlanForm()
    if form.validate_on_submit():
        with refusals_go_to(url_for("training.plan_detail", plan_id=plan.id)):
            new = services.clone_plan(plan, form.year.data)
        return redirect(url_for("training.plan_detail", plan_id=new.id))
    return redirect(url_for("training.plan_detail", plan_id=plan.id))


@bp.get("/coverage")
@role_required(*STAFF_ROLES)
def coverage():
    year = request.args.get("year", type=int) or local_date(utcnow()).year
    rows = services.knowledge_point_coverage(year, services.staff_scope(current_user, Employee.department_id))
    return render_template("training/coverage.html", rows=rows, year=year)


# ---------------------------------------------------------------- qualifications (HR)


@bp.get("/qualifications")
@role_required(*HR_ROLES)
def qualifications():
    today = local_date(utcnow())
    scope = scope_clause(current_user, _hr_role(), Employee.department_id)
    return render_template(
        "training/qualifications.html",
        records=quals.expiring_records(scope, today),
        today=today,
        labels=STATUS_LABELS,
        badges=STATUS_BADGES,
        status_of=quals.record_status,
        form=PostForm(),
    )


def _record_form() -> ExternalRecordForm:
    form = ExternalRecordForm()
    form.certificate_type.choices = choices(
        (t.id, t.name) for t in db.session.scalars(select(CertificateType).order_by(CertificateType.code))
    )
    return form


@bp.route("/qualifications/record", methods=["GET", "POST"])
@role_required(*HR_ROLES)
def record_external():
    form = _record_form()
    if form.validate_on_submit():
        employee = db.session.scalar(
            select(Employee).where(Employee.employee_no == form.employee_no.data.strip().upper())
        )
        if employee is None or not (
            current_user.has_any_role(Role.ADMIN)
            or covers_department(current_user, Role.HR, employee.department)
        ):
            form.employee_no.errors.append(_("No employee with this number in your scope."))
        else:
            try:
                scan = store_upload(
                    request.files["scan"], allowed=SCAN_TYPES, max_bytes=SCAN_MAX_BYTES, user=current_user
                )
                quals.record_external_qualification(
                    employee,
                    db.session.get(CertificateType, form.certificate_type.data),
                    number=form.number.data,
                    issued_on=form.issued_on.data,
                    expires_on=form.expires_on.data,
                    scan=scan,
                    now=utcnow(),
                )
            except (UploadError, QualificationError) as exc:
                form.scan.errors.append(str(exc))
            else:
                flash(_("Certificate recorded."), "success")
                return redirect(url_for("training.qualifications"))
    return render_template("training/record_form.html", form=form), (400 if form.errors else 200)


def _load_record(record_id: int) -> QualificationRecord:
    record = db.session.get(QualificationRecord, record_id)
    if record is None:
        abort(404)
    return record


@bp.route("/qualifications/<int:record_id>/revoke", methods=["GET", "POST"])
@role_required(*HR_ROLES)
def revoke(record_id: int):
    record = _load_record(record_id)
    if not (
        current_user.has_any_role(Role.ADMIN)
        or covers_department(current_user, Role.HR, record.employee.department)
    ):
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            quals.revoke_qualification(record, form.reason.data, now=utcnow())
        except QualificationError as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(_("Certificate revoked."), "success")
            return redirect(url_for("training.qualifications"))
    # A refused revocation is answered 400, so nothing of it is kept.
    return render_template("training/revoke_form.html", form=form, record=record), (
        400 if form.errors else 200
    )


@bp.get("/scans/<int:record_id>")
@login_required
def scan_download(record_id: int):
    record = _load_record(record_id)
    allowed = (
        record.employee_id == current_user.employee_id
        or current_user.has_any_role(Role.ADMIN)
        or (
            current_user.has_any_role(Role.HR)
            and covers_department(current_user, Role.HR, record.employee.department)
        )
    )
    if not allowed or record.scan is None:
        abort(404)
    if record.employee_id != current_user.employee_id:
        # A certificate scan can show an ID number: someone else's scan is a sensitive read.
        audit.record("qualification.scan_viewed", record, employee_id=record.employee_id)
    return send_file(
        file_path(record.scan),
        mimetype=record.scan.content_type,
        download_name=offered_name(record.scan),
        as_attachment=True,
    )


def _matrix():
    today = local_date(utcnow())
    department = None
    dept_id = request.args.get("department", type=int)
    if dept_id:
        department = db.session.get(Department, dept_id)
    only = quals.MatrixFilter(
        department=department,
        position_id=request.args.get("position", type=int),
        search=request.args.get("q", "")[:60],
    )
    scope = scope_clause(current_user, _hr_role(), Employee.department_id)
    return quals.matrix_rows(scope, today, only=only), quals.matrix_types(), today


@bp.get("/matrix")
@role_required(*HR_ROLES)
def matrix():
    rows, types, today = _matrix()
    only = request.args.get("only", "problems")
    shown = [r for r in rows if r.lacking or r.expiring] if only == "problems" else rows
    page = max(1, request.args.get("page", 1, type=int))
    per_page = 100
    return render_template(
        "training/matrix.html",
        rows=shown[(page - 1) * per_page : page * per_page],
        total=len(shown),
        page=page,
        pages=max(1, -(-len(shown) // per_page)),
        types=types,
        summary=quals.matrix_summary(rows),
        flags=MATRIX_FLAGS,
        only=only,
        departments=departments_in_scope(current_user, _hr_role()),
        department=request.args.get("department", type=int),
        positions=db.session.scalars(select(Position).order_by(Position.name)).all(),
        position=request.args.get("position", type=int),
        q=request.args.get("q", "")[:60],
        expiring_days=EXPIRING_DAYS,
    )


@bp.get("/matrix.xlsx")
@role_required(*HR_ROLES)
def matrix_xlsx():
    rows, types, _today = _matrix()
    data = quals.matrix_workbook(rows, types)
    audit.record("training.matrix_exported", None, rows=len(rows))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="持证上岗矩阵.xlsx",
    )
