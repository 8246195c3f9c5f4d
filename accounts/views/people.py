"""Staff directory: profiles, the masked national ID (HR may unmask, audited), edits and roster import."""

from __future__ import annotations

import base64
import secrets
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from accounts import roster, services
from accounts.forms import EmployeeForm, RosterConfirmForm, RosterUploadForm
from accounts.models import Department, Employee, EmployeeStatus, Position
from accounts.views import people_bp as bp
from core import audit
from core.auth import STAFF_ROLES, Role, login_required, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.privacy import mask_phone
from core.spreadsheets import SpreadsheetError, read_rows, read_upload
from core.storage import write_file

ROSTER_MAX_BYTES = 5 * 1024 * 1024
ROSTER_MAX_UNPACKED = 50 * 1024 * 1024


def _list_role() -> str:
    for role in (Role.ADMIN, Role.HR, Role.TRAINER):
        if current_user.has_any_role(role):
            return role
    abort(403)


def _load_visible(employee_id: int) -> Employee:
    employee = db.session.get(Employee, employee_id)
    if employee is None or not services.can_view_employee(current_user, employee):
        abort(404)
    return employee


def _editable(employee: Employee | None = None) -> None:
    """HR in scope or an admin may edit; others get 404 for an employee they may not see, else 403.
    A person whose account holds a staff role is edited by administrators only (services.can_manage_record)."""
    if current_user.has_any_role(Role.ADMIN):
        return
    if employee is not None and not services.covers_department(current_user, Role.HR, employee.department):
        abort(404)
    if employee is not None and not services.can_manage_record(current_user, employee):
        abort(403)


@bp.get("")
@role_required(*STAFF_ROLES)
def index():
    role = _list_role()
    query = services.employees_query(current_user, role)
    q = request.args.get("q", "").strip()
    if q:
        like = f"%{q}%"
        query = query.where(or_(Employee.name.like(like), Employee.employee_no.like(like.upper())))
    department_id = request.args.get("department", type=int)
    if department_id:
        dept = db.session.get(Department, department_id)
        if dept is not None:
            query = query.join(Employee.department).where(Department.path.startswith(dept.path))
    position_id = request.args.get("position", type=int)
    if position_id:
        query = query.where(Employee.position_id == position_id)
    status = request.args.get("status", "active")
    if status in {s.value for s in EmployeeStatus}:
        query = query.where(Employee.status == status)
    pagination = db.paginate(query.order_by(Employee.employee_no), per_page=50, error_out=False)
    return render_template(
        "accounts/people/index.html",
        pagination=pagination,
        departments=services.departments_in_scope(current_user, role),
        positions=db.session.scalars(select(Position).order_by(Position.code)).all(),
        can_edit=current_user.has_any_role(Role.HR, Role.ADMIN),
        filters={"q": q, "department": department_id, "position": position_id, "status": status},
    )


@bp.get("/<int:employee_id>")
@login_required
def show(employee_id: int):
    employee = _load_visible(employee_id)
    return render_template(
        "accounts/people/show.html",
        employee=employee,
        unmasked_id=None,
        can_unmask=services.can_unmask_national_id(current_user, employee),
        can_edit=services.can_manage_record(current_user, employee),
        is_self=employee.id == current_user.employee_id,
        form=PostForm(),
    )


@bp.post("/<int:employee_id>/national-id")
@role_required(Role.HR)
def unmask_national_id(employee_id: int):
    employee = _load_visible(employee_id)
    if not services.can_unmask_national_id(current_user, employee) or not PostForm().validate_on_submit():
        abort(404)
    audit.record("employee.national_id_unmasked", employee, employee_no=employee.employee_no)
    return render_template(
        "accounts/people/show.html",
        employee=employee,
        unmasked_id=employee.national_id,
        can_unmask=True,
        can_edit=services.can_manage_record(current_user, employee),
        is_self=employee.id == current_user.employee_id,
        form=PostForm(),
    )


def _fill_choices(form: EmployeeForm) -> None:
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.HR
    form.department_id.choices = choices(
        [(d.id, "　" * d.depth + d.name) for d in services.departments_in_scope(current_user, role)]
    )
    form.position_id.choices = choices(
        [
            (p.id, p.name)
            for p in db.session.scalars(select(Position).where(Position.active).order_by(Position.code))
        ]
    )


def _department_allowed(department_id: int) -> Department:
    dept = db.session.get(Department, department_id)
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.HR
    if dept is None or (role == Role.HR and not services.covers_department(current_user, Role.HR, dept)):
        abort(404)
    return dept


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def create():
    form = EmployeeForm()
    _fill_choices(form)
    if form.validate_on_submit():
        if db.session.scalar(
            select(func.count(Employee.id)).where(Employee.employee_no == form.employee_no.data.upper())
        ):
            form.employee_no.errors.append(_("This employee number is already used."))
        elif form.national_id.data and db.session.scalar(
            select(func.count(Employee.id)).where(Employee.national_id == form.national_id.data.upper())
        ):
            form.national_id.errors.append(_("This ID number belongs to another employee."))
        else:
            employee = Employee(
                employee_no=form.employee_no.data.upper(),
                name=form.name.data.strip(),
                department=_department_allowed(form.department_id.data),
                position=db.session.get(Position, form.position_id.data),
                hire_date=form.hire_date.data,
                phone=form.phone.data or None,
                national_id=(form.national_id.data or "").upper() or None,
                email=form.email.data or None,
                status=form.status.data,
            )
            db.session.add(employee)
            _account, password = services.create_account(employee)
            return render_template(
                "accounts/people/initial_password.html", employee=employee, password=password
            )
    return render_template("accounts/people/form.html", form=form, employee=None)


@bp.route("/<int:employee_id>/edit", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def edit(employee_id: int):
    employee = _load_visible(employee_id)
    _editable(employee)
    form = EmployeeForm(obj=employee)
    _fill_choices(form)
    # Personal numbers never reach the browser in full: the ID number field starts empty, the phone
    # masked; sent back unchanged they keep the stored value, and a new one is typed in full.
    masked_phone = mask_phone(employee.phone)
    if request.method == "GET":
        form.national_id.data = ""
        form.phone.data = masked_phone
    elif employee.phone and form.phone.data == masked_phone:
        form.phone.data = employee.phone
    if form.validate_on_submit():
        new_no = form.employee_no.data.upper()
        clash = db.session.scalar(
            select(Employee.id).where(Employee.employee_no == new_no, Employee.id != employee.id)
        )
        id_clash = form.national_id.data and db.session.scalar(
            select(Employee.id).where(
                Employee.national_id == form.national_id.data.upper(), Employee.id != employee.id
            )
        )
        if clash:
            form.employee_no.errors.append(_("This employee number is already used."))
        elif id_clash:
            form.national_id.errors.append(_("This ID number belongs to another employee."))
        else:
            employee.employee_no = new_no
            employee.name = form.name.data.strip()
            employee.department = _department_allowed(form.department_id.data)
            employee.position = db.session.get(Position, form.position_id.data)
            employee.hire_date = form.hire_date.data
            employee.phone = form.phone.data or None
            if form.national_id.data:
                employee.national_id = form.national_id.data.upper()
            employee.email = form.email.data or None
            services.set_employee_status(employee, form.status.data)
            flash(_("Saved."), "success")
            return redirect(url_for("people.show", employee_id=employee.id))
    if employee.phone and form.phone.data == employee.phone:
        form.phone.data = masked_phone
    return render_template("accounts/people/form.html", form=form, employee=employee)


@bp.post("/<int:employee_id>/reset-password")
@role_required(Role.HR, Role.ADMIN)
def reset_password(employee_id: int):
    employee = _load_visible(employee_id)
    _editable(employee)
    if employee.user is None or not PostForm().validate_on_submit():
        abort(404)
    password = services.reset_password(employee.user)
    audit.record("user.password_reset", employee.user, employee_no=employee.employee_no)
    return render_template("accounts/people/initial_password.html", employee=employee, password=password)


# ---------------------------------------------------------------- roster import


def _staging_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged_path(token: str) -> Path:
    # The name is built from our own user id and a token we generated; never from the upload's filename.
    return _staging_dir() / f"roster-{current_user.id}-{token}"


@bp.get("/import/template.xlsx")
@role_required(Role.HR, Role.ADMIN)
def roster_template():
    return send_file(
        BytesIO(roster.template_xlsx()),
        download_name="花名册导入模板.xlsx",
        as_attachment=True,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def roster_import():
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = read_upload(upload.stream, ROSTER_MAX_BYTES)
            table = read_rows(data, upload.filename, max_unpacked=ROSTER_MAX_UNPACKED)
        except SpreadsheetError as exc:
            form.file.errors.append(str(exc))
            return render_template("accounts/people/import.html", form=form), 400
        plan = roster.plan_import(table)
        _scope_allows(plan)
        token = secrets.token_urlsafe(24)
        suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
        if plan.ok:
            write_file(_staged_path(token).with_suffix(suffix), data)
        return render_template(
            "accounts/people/import_preview.html",
            plan=plan,
            confirm=RosterConfirmForm(token=token + suffix.replace(".", "_")) if plan.ok else None,
        ), 200 if plan.ok else 400
    return render_template("accounts/people/import.html", form=form)


@bp.post("/import/confirm")
@role_required(Role.HR, Role.ADMIN)
def roster_confirm():
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token, _sep, kind = form.token.data.rpartition("_")
    if kind not in {"xlsx", "csv"}:
        abort(400)
    path = _staged_path(token).with_suffix("." + kind)
    if not path.is_file():
        flash(_("That preview has expired or was already imported. Upload the file again."), "warning")
        return redirect(url_for("people.roster_import"))
    plan = roster.plan_import(read_rows(path.read_bytes(), path.name, max_unpacked=ROSTER_MAX_UNPACKED))
    if not plan.ok or not _scope_allows(plan):
        path.unlink(missing_ok=True)
        flash(_("The file no longer passes the checks; nothing was imported."), "danger")
        return render_template("accounts/people/import_preview.html", plan=plan, confirm=None), 400
    logins = roster.apply_import(plan)
    path.unlink(missing_ok=True)  # the token is spent; the request commits the import
    export = base64.b64encode(roster.logins_xlsx(logins)).decode() if logins else None
    return render_template("accounts/people/import_result.html", plan=plan, logins=logins, export=export)


def _scope_allows(plan: roster.RosterPlan) -> bool:
    """A scoped HR user may import only into departments they cover, and may change only people they
    may edit by hand: an existing 工号 outside their scope, or a person holding a staff role, is refused
    (the row names why), so an import cannot pull someone into scope or take over an account."""
    if current_user.has_any_role(Role.ADMIN):
        return True
    numbers = [r.employee_no for r in plan.rows]
    existing = {
        e.employee_no: e
        for e in db.session.scalars(select(Employee).where(Employee.employee_no.in_(numbers)))
    }
    allowed = True
    for row in plan.rows:
        current = existing.get(row.employee_no)
        if not services.covers_department(current_user, Role.HR, row.department) or (
            current is not None and not services.covers_department(current_user, Role.HR, current.department)
        ):
            plan.errors.append(roster.RowError(row.row, "部门", _("Outside your department scope.")))
            allowed = False
        elif (
            current is not None
            and row.action == "update"
            and not services.can_manage_record(current_user, current)
        ):
            plan.errors.append(
                roster.RowError(
                    row.row,
                    "工号",
                    _("This person holds a staff role; only an administrator may change their record."),
                )
            )
            allowed = False
    return allowed
