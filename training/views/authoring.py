"""Trainer pages that build the catalogue and the year's work: courses (with materials), training plans
and their items, and sessions.

Decisions:
- A course belongs to a unit (``department_id``) or is company-wide (empty). A trainer scoped to a
  department creates courses only for units in scope; company-wide courses need an unscoped trainer.
  Every trainer may schedule sessions of any active course for a unit in their scope.
- Plans, items and sessions of a unit outside the trainer's scope answer 404, as if they did not exist.
- A plan item's trainer and a session's trainer are given by employee number (the roster may hold
  thousands of people: a drop-down would not do); empty means "to be decided".
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department, Employee, Position
from accounts.services import can_manage_unit, departments_in_scope
from core.auth import Role, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import LOCAL_TZ, local_to_utc
from training import course_sessions, services
from training.errors import TrainingError, UploadError
from training.forms import CourseEditForm, MaterialForm, PlanForm, PlanItemForm, SessionEditForm
from training.models import (
    Course,
    CourseMaterial,
    PlanItem,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)
from training.uploads import MATERIAL_MAX_BYTES, MATERIAL_TYPES, store_upload
from training.views import MANAGERS, bp


def _staff_role() -> str:
    return Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.TRAINER


def _units() -> list[Department]:
    """Units the current trainer (or admin) may organise for."""
    return departments_in_scope(current_user, _staff_role())


def _positions():
    return choices((p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.code)))


def _trainer_by_no(field) -> tuple[bool, Employee | None]:
    """(ok, employee) for an optional employee-number field; adds the field error when unknown."""
    number = (field.data or "").strip().upper()
    if not number:
        return True, None
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == number))
    if employee is None:
        field.errors.append(_("No employee with this number."))
        return False, None
    return True, employee


def _status(form) -> int:
    return 400 if form.errors else 200


# ---------------------------------------------------------------- courses and materials


def _course_form(course: Course | None) -> CourseEditForm:
    form = CourseEditForm(obj=course)
    form.positions.choices = _positions()
    units = [(d.id, d.name) for d in _units()]
    if can_manage_unit(current_user, None):
        units.insert(0, (0, _("Company-wide")))
    form.department.choices = choices(units)
    if course is not None and request.method == "GET":
        form.positions.data = [p.id for p in course.positions]
        form.knowledge_points.data = "、".join(k.name for k in course.knowledge_points)
        form.department.data = course.department_id or 0
    return form


def _store_material(form, course: Course) -> bool:
    """The optional material of the course form (a file, a link, or neither); False on a bad upload."""
    upload = form.material_file.data
    has_file = bool(upload and getattr(upload, "filename", ""))
    if not has_file and not form.material_url.data:
        return True
    try:
        stored = (
            store_upload(upload, allowed=MATERIAL_TYPES, max_bytes=MATERIAL_MAX_BYTES, user=current_user)
            if has_file
            else None
        )
    except UploadError as exc:
        form.material_file.errors.append(str(exc))
        return False
    title = (form.material_title.data or "").strip() or (
        upload.filename if has_file else form.material_url.data
    )
    db.session.add(
        CourseMaterial(course=course, title=title[:200], url=form.material_url.data or None, file=stored)
    )
    return True


def _save_course_form(form, course: Course | None):
    department_id = form.department.data or None
    if not can_manage_unit(current_user, department_id):
        form.department.errors.append(_("You may not manage courses of this unit."))
        return None
    try:
        saved = services.save_course(
            course,
            code=form.code.data.strip().upper(),
            title=form.title.data.strip(),
            description=form.description.data or "",
            guide_chapters=(form.guide_chapters.data or "").strip(),
            hours=form.hours.data,
            form=form.form.data,
            requires_exam=form.requires_exam.data,
            positions=[db.session.get(Position, i) for i in form.positions.data or []],
            knowledge_points=services.knowledge_points_named(form.knowledge_points.data),
            department_id=department_id,
        )
    except TrainingError as exc:
        form.code.errors.append(str(exc))
        return None
    if not _store_material(form, saved):
        return None  # answered 400 with the form: nothing is kept
    return saved


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def course_new():
    form = _course_form(None)
    if form.validate_on_submit():
        course = _save_course_form(form, None)
        if course is not None:
            flash(_("Course saved."), "success")
            return redirect(url_for("training.course_detail", course_id=course.id))
    return render_template("training/course_form.html", form=form, course=None), _status(form)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def course_edit(course_id: int):
    course = db.session.get(Course, course_id)
    if course is None or not can_manage_unit(current_user, course.department_id):
        abort(404)
    form = _course_form(course)
    if form.validate_on_submit() and _save_course_form(form, course) is not None:
        flash(_("Course saved."), "success")
        return redirect(url_for("training.course_detail", course_id=course.id))
    return render_template("training/course_form.html", form=form, course=course), _status(form)


@bp.route("/courses/<int:course_id>/materials", methods=["GET", "POST"])
@role_required(*MANAGERS)
def material_new(course_id: int):
    course = db.session.get(Course, course_id)
    if course is None or not can_manage_unit(current_user, course.department_id):
        abort(404)
    form = MaterialForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if not form.url.data and not (upload and upload.filename):
            form.file.errors.append(_("Upload a file or give a link."))
        else:
            try:
                stored = (
                    store_upload(
                        upload, allowed=MATERIAL_TYPES, max_bytes=MATERIAL_MAX_BYTES, user=current_user
                    )
                    if upload and upload.filename
                    else None
                )
            except UploadError as exc:
                form.file.errors.append(str(exc))
            else:
                db.session.add(
                    CourseMaterial(
                        course=course, title=form.title.data, url=form.url.data or None, file=stored
                    )
                )
                flash(_("Material added."), "success")
                return redirect(url_for("training.course_detail", course_id=course.id))
    return render_template("training/material_form.html", form=form, course=course), _status(form)


# ---------------------------------------------------------------- plans and plan items


def _plan_form(plan: TrainingPlan | None) -> PlanForm:
    form = PlanForm(obj=plan)
    form.unit.choices = choices((d.id, d.name) for d in _units())
    if plan is not None and request.method == "GET":
        form.unit.data = plan.unit_id
    return form


def _managed_plan(plan_id: int) -> TrainingPlan:
    plan = db.session.get(TrainingPlan, plan_id)
    if plan is None or not can_manage_unit(current_user, plan.unit_id):
        abort(404)
    return plan


@bp.route("/plans/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def plan_new():
    form = _plan_form(None)
    if request.method == "GET":
        form.year.data = utcnow().astimezone(LOCAL_TZ).year
    if form.validate_on_submit():
        try:
            plan = services.create_plan(
                db.session.get(Department, form.unit.data),
                form.year.data,
                form.period.data,
                form.title.data.strip(),
            )
        except TrainingError as exc:
            form.period.errors.append(str(exc))
        else:
            flash(_("Plan saved."), "success")
            return redirect(url_for("training.plan_detail", plan_id=plan.id))
    return render_template("training/plan_form.html", form=form, plan=None), _status(form)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def plan_edit(plan_id: int):
    plan = _managed_plan(plan_id)
    form = _plan_form(plan)
    if form.validate_on_submit():
        try:
            services.update_plan(
                plan,
                unit=db.session.get(Department, form.unit.data),
                year=form.year.data,
                period=form.period.data,
                title=form.title.data.strip(),
            )
        except TrainingError as exc:
            form.period.errors.append(str(exc))
        else:
            flash(_("Plan saved."), "success")
            return redirect(url_for("training.plan_detail", plan_id=plan.id))
    return render_template("training/plan_form.html", form=form, plan=plan), _status(form)


def _item_form(plan: TrainingPlan, item: PlanItem | None) -> PlanItemForm:
    form = PlanItemForm(obj=item)
    form.course.choices = choices(
        (c.id, f"{c.code} {c.title}")
        for c in db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.code))
    )
    form.departments.choices = choices((d.id, d.name) for d in _units() if d.path.startswith(plan.unit.path))
    form.positions.choices = _positions()
    if item is not None and request.method == "GET":
        form.course.data = item.course_id
        form.departments.data = [d.id for d in item.departments]
        form.positions.data = [p.id for p in item.positions]
        form.trainer_no.data = item.trainer.employee_no if item.trainer else ""
    return form


def _save_item(form, plan: TrainingPlan, item: PlanItem | None):
    ok, trainer = _trainer_by_no(form.trainer_no)
    if not ok:
        return None
    fields = {
        "course": db.session.get(Course, form.course.data),
        "planned_month": form.planned_month.data,
        "planned_hours": form.planned_hours.data,
        "headcount": form.headcount.data,
        "trainer": trainer,
        "departments": [db.session.get(Department, i) for i in form.departments.data or []],
        "positions": [db.session.get(Position, i) for i in form.positions.data or []],
    }
    try:
        if item is None:
            return services.add_plan_item(plan, **fields)
        return services.update_plan_item(item, **fields)
    except TrainingError as exc:
        form.planned_month.errors.append(str(exc))
        return None


@bp.route("/plans/<int:plan_id>/items/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def plan_item_new(plan_id: int):
    plan = _managed_plan(plan_id)
    form = _item_form(plan, None)
    if request.method == "GET":
        form.planned_month.data = services.plan_months(plan)[0]
    if form.validate_on_submit() and _save_item(form, plan, None) is not None:
        flash(_("Plan item saved."), "success")
        return redirect(url_for("training.plan_detail", plan_id=plan.id))
    return render_template("training/plan_item_form.html", form=form, plan=plan, item=None), _status(form)


def _managed_item(plan_id: int, item_id: int) -> tuple[TrainingPlan, PlanItem]:
    plan = _managed_plan(plan_id)
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    return plan, item


@bp.route("/plans/<int:plan_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def plan_item_edit(plan_id: int, item_id: int):
    plan, item = _managed_item(plan_id, item_id)
    form = _item_form(plan, item)
    if form.validate_on_submit() and _save_item(form, plan, item) is not None:
        flash(_("Plan item saved."), "success")
        return redirect(url_for("training.plan_detail", plan_id=plan.id))
    return render_template("training/plan_item_form.html", form=form, plan=plan, item=item), _status(form)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/delete")
@role_required(*MANAGERS)
def plan_item_delete(plan_id: int, item_id: int):
    plan, item = _managed_item(plan_id, item_id)
    if not PostForm().validate_on_submit():
        abort(400)
    services.delete_plan_item(item)
    flash(_("Plan item deleted."), "success")
    return redirect(url_for("training.plan_detail", plan_id=plan.id))


# ---------------------------------------------------------------- sessions


def _session_form(session: TrainingSession | None) -> SessionEditForm:
    form = SessionEditForm(obj=session)
    form.course.choices = choices(
        (c.id, f"{c.code} {c.title}")
        for c in db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.code))
    )
    units = _units()
    form.department.choices = choices((d.id, d.name) for d in units)
    unit_ids = [d.id for d in units]
    items = db.session.scalars(
        select(PlanItem)
        .join(PlanItem.plan)
        .where(TrainingPlan.unit_id.in_(unit_ids))
        .order_by(TrainingPlan.year.desc(), PlanItem.planned_month)
    ).all()
    form.plan_item.choices = choices(
        [(0, "—")]
        + [(i.id, f"{i.plan.title} · {i.planned_month}{_('month')} · {i.course.title}") for i in items]
    )
    if request.method == "GET":
        if session is not None:
            form.course.data = session.course_id
            form.department.data = session.department_id
            form.plan_item.data = session.plan_item_id or 0
            form.trainer_no.data = session.trainer.employee_no if session.trainer else ""
            form.starts_at.data = session.starts_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
            form.ends_at.data = session.ends_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        else:
            form.trainer_no.data = current_user.employee.employee_no
    return form


def _session_fields(form) -> dict | None:
    ok, trainer = _trainer_by_no(form.trainer_no)
    if not ok:
        return None
    course = db.session.get(Course, form.course.data)
    return {
        "course": course,
        "department": db.session.get(Department, form.department.data),
        "title": (form.title.data or "").strip() or course.title,
        "starts_at": local_to_utc(form.starts_at.data),
        "ends_at": local_to_utc(form.ends_at.data),
        "place": (form.place.data or "").strip(),
        "trainer": trainer,
        "capacity": form.capacity.data,
        "self_enrolment": form.self_enrolment.data,
        "walk_ins": form.walk_ins.data,
        "plan_item": db.session.get(PlanItem, form.plan_item.data) if form.plan_item.data else None,
    }


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def session_new():
    form = _session_form(None)
    if request.method == "GET" and request.args.get("course", type=int):
        form.course.data = request.args.get("course", type=int)
    if form.validate_on_submit():
        fields = _session_fields(form)
        if fields is not None:
            try:
                session = course_sessions.create_session(fields.pop("course"), **fields)
            except TrainingError as exc:
                form.ends_at.errors.append(str(exc))
            else:
                flash(_("Session saved."), "success")
                return redirect(url_for("training.session_detail", session_id=session.id))
    return render_template("training/session_form.html", form=form, session=None), _status(form)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def session_edit(session_id: int):
    session = db.session.get(TrainingSession, session_id)
    if session is None or not can_manage_unit(current_user, session.department_id):
        abort(404)
    if session.status != SessionStatus.SCHEDULED:
        flash(_("Only a scheduled session can be changed."), "warning")
        return redirect(url_for("training.session_detail", session_id=session.id))
    form = _session_form(session)
    if form.validate_on_submit():
        fields = _session_fields(form)
        if fields is not None:
            try:
                course_sessions.update_session(session, **fields)
            except TrainingError as exc:
                form.ends_at.errors.append(str(exc))
            else:
                flash(_("Session saved."), "success")
                return redirect(url_for("training.session_detail", session_id=session.id))
    return render_template("training/session_form.html", form=form, session=session), _status(form)
