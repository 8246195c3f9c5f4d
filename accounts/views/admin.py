"""Administration: users and role grants, departments, positions, and the audit log (admin; HR reads the log)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from accounts import services
from accounts.errors import AccountError
from accounts.forms import AuditFilterForm, DepartmentForm, GrantForm, PositionForm
from accounts.models import Department, Employee, Position, RoleGrant, User
from accounts.views import admin_bp as bp
from core import audit
from core.audit import AuditEntry
from core.auth import Role, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.timeutil import local_midnight_utc


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    query = (
        select(User).join(User.employee).options(joinedload(User.employee).joinedload(Employee.department))
    )
    if q:
        query = query.where((Employee.name.like(f"%{q}%")) | (Employee.employee_no.like(f"%{q.upper()}%")))
    role = request.args.get("role", "")
    if role in {Role.TRAINER, Role.HR, Role.ADMIN}:
        query = query.where(User.grants.any(RoleGrant.role == role))
    pagination = db.paginate(query.order_by(Employee.employee_no), per_page=50, error_out=False)
    return render_template(
        "accounts/admin/users.html", pagination=pagination, q=q, role=role, form=PostForm()
    )


def _scope_choices():
    return choices(
        [(0, _("Whole company"))] + [(d.id, "　" * d.depth + d.name) for d in services.department_tree()]
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_detail(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = GrantForm()
    form.department_id.choices = _scope_choices()
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data) if form.department_id.data else None
        try:
            services.grant_role(user, form.role.data, department)
        except AccountError as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Role granted."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("accounts/admin/user.html", user=user, form=form, post_form=PostForm())


@bp.post("/users/<int:user_id>/grants/<int:grant_id>/revoke")
@role_required(Role.ADMIN)
def revoke_grant(user_id: int, grant_id: int):
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user_id or not PostForm().validate_on_submit():
        abort(404)
    if grant.role == Role.ADMIN and grant.user_id == current_user.id:
        flash(_("You cannot take away your own administrator role."), "danger")
    else:
        services.revoke_grant(grant)
        flash(_("Role revoked."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def toggle_active(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not PostForm().validate_on_submit():
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "danger")
    else:
        services.set_active(user, not user.active)
        flash(
            _("Account enabled.") if user.active else _("Account disabled; its sessions have ended."),
            "success",
        )
    return redirect(
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("admin.users")
    )


@bp.route("/departments", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def departments():
    tree = services.department_tree()
    form = DepartmentForm()
    form.parent_id.choices = choices(
        [(0, _("(top level)"))] + [(d.id, "　" * d.depth + d.name) for d in tree]
    )
    if form.validate_on_submit():
        parent = db.session.get(Department, form.parent_id.data) if form.parent_id.data else None
        try:
            services.create_department(
                form.name.data.strip(), form.code.data.strip().upper(), form.kind.data, parent
            )
        except AccountError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Department added."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("accounts/admin/departments.html", tree=tree, form=form)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def department_edit(department_id: int):
    dept = db.session.get(Department, department_id) or abort(404)
    form = DepartmentForm(obj=dept)
    form.parent_id.choices = choices(
        [(0, _("(top level)"))]
        + [
            (d.id, "　" * d.depth + d.name)
            for d in services.department_tree()
            if not d.path.startswith(dept.path)
        ]
    )
    if request.method == "GET":
        form.parent_id.data = dept.parent_id or 0
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(Department.id).where(Department.code == form.code.data.upper(), Department.id != dept.id)
        )
        if clash:
            form.code.errors.append(
                _("Department code %(code)s is already used.", code=form.code.data.upper())
            )
        else:
            new_parent = db.session.get(Department, form.parent_id.data) if form.parent_id.data else None
            try:
                if new_parent != dept.parent:
                    services.move_department(dept, new_parent)
            except AccountError as exc:
                # The page answers 200 and the request commits: nothing may have changed before this.
                form.parent_id.errors.append(str(exc))
            else:
                dept.name = form.name.data.strip()
                dept.code = form.code.data.strip().upper()
                dept.kind = form.kind.data
                flash(_("Saved."), "success")
                return redirect(url_for("admin.departments"))
    return render_template("accounts/admin/department_form.html", form=form, dept=dept)


@bp.route("/positions", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def positions():
    form = PositionForm()
    if form.validate_on_submit():
        if db.session.scalar(
            select(Position.id).where(
                (Position.code == form.code.data.upper()) | (Position.name == form.name.data.strip())
            )
        ):
            form.code.errors.append(_("A position with this code or name exists."))
        else:
            db.session.add(
                Position(
                    code=form.code.data.upper(),
                    name=form.name.data.strip(),
                    annual_training_hours=form.annual_training_hours.data,
                    active=form.active.data,
                )
            )
            flash(_("Position added."), "success")
            return redirect(url_for("admin.positions"))
    rows = db.session.scalars(select(Position).order_by(Position.code)).all()
    return render_template("accounts/admin/positions.html", positions=rows, form=form)


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def position_edit(position_id: int):
    position = db.session.get(Position, position_id) or abort(404)
    form = PositionForm(obj=position)
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(Position.id).where(
                ((Position.code == form.code.data.upper()) | (Position.name == form.name.data.strip()))
                & (Position.id != position.id)
            )
        )
        if clash:
            form.code.errors.append(_("A position with this code or name exists."))
        else:
            form.populate_obj(position)
            position.code = position.code.upper()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.positions"))
    return render_template("accounts/admin/position_form.html", form=form, position=position)


# Named filters of the audit log: what HR asks for by name.
AUDIT_PRESETS = {
    # reads of ID numbers: a national ID shown in full, a certificate scan (which may show one) opened
    "id_reads": ("employee.national_id_unmasked", "qualification.scan_viewed"),
}


@bp.get("/audit")
@role_required(Role.ADMIN, Role.HR)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", _("All actions")), *audit.known_actions()])
    form.object_type.choices = choices([("", _("All object types")), *audit.known_objects()])
    form.preset.choices = choices([("", _("No named filter")), ("id_reads", _("Reads of ID numbers"))])
    actor, subject = aliased(Employee), aliased(Employee)
    query = (
        select(AuditEntry, actor, subject)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(actor, actor.id == User.employee_id)
        .outerjoin(subject, subject.id == AuditEntry.subject_employee_id)
    )
    if not current_user.has_any_role(Role.ADMIN):
        # A scoped HR user reads what people in their scope did, and what was done about them.
        query = query.where(
            or_(
                services.scope_clause(current_user, Role.HR, actor.department_id),
                services.scope_clause(current_user, Role.HR, subject.department_id),
            )
        )
    if form.validate():
        query = _filtered(query, form, actor, subject)
    page = request.args.get("page", 1, type=int)
    rows = db.session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(51).offset((max(page, 1) - 1) * 50)
    ).all()
    return render_template(
        "accounts/admin/audit.html", rows=rows[:50], has_next=len(rows) > 50, page=page, form=form
    )


def _filtered(query, form, actor, subject):
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.preset.data in AUDIT_PRESETS:
        query = query.where(AuditEntry.action.in_(AUDIT_PRESETS[form.preset.data]))
    if form.employee_no.data:
        query = query.where(actor.employee_no == form.employee_no.data.strip().upper())
    if form.subject_no.data:
        query = query.where(subject.employee_no == form.subject_no.data.strip().upper())
    if form.object_type.data:
        query = query.where(AuditEntry.object_type == form.object_type.data)
    if form.date_from.data:
        query = query.where(AuditEntry.at >= local_midnight_utc(form.date_from.data))
    if form.date_to.data:
        query = query.where(AuditEntry.at < local_midnight_utc(form.date_to.data + dt.timedelta(days=1)))
    return query
