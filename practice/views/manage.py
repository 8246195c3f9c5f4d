"""Trainers' pages: which categories are open for practice (per audience), the mastery heatmap of
departments × knowledge points with its drill-down, and turning a department's weak points into a
training-plan item in one step."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department
from accounts.services import can_manage_unit
from core import audit
from core.auth import STAFF_ROLES, Role, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from practice import mastery
from practice.errors import PracticeError
from practice.forms import OpeningForm, PlanItemForm
from practice.labels import BAND_LABELS
from practice.models import PracticeOpening
from practice.views import bp
from question_bank.categories import can_use_category, category_label, visible_categories
from question_bank.models import Category, KnowledgePoint
from training import services as training
from training.models import Course, TrainingPlan

OPENERS = (Role.TRAINER, Role.ADMIN)


def _departments_in_scope() -> list[Department]:
    return list(
        db.session.scalars(
            select(Department)
            .where(training.staff_scope(current_user, Department.id))
            .order_by(Department.path)
        )
    )


def _opening_form() -> OpeningForm:
    form = OpeningForm()
    categories = visible_categories(current_user)
    by_id = {c.id: c for c in categories}
    form.category_id.choices = choices([(c.id, category_label(c, by_id)) for c in categories])
    departments = [d for d in _departments_in_scope() if can_manage_unit(current_user, d.id)]
    everyone = [(None, _("Everyone"))] if can_manage_unit(current_user, None) else []
    form.department_id.choices = choices(everyone + [(d.id, d.name) for d in departments])
    return form


@bp.route("/openings", methods=["GET", "POST"])
@role_required(*OPENERS)
def openings():
    """Categories open for practice; a trainer opens a category for a department they manage (or, company-wide,
    for everyone)."""
    form = _opening_form()
    if form.validate_on_submit():
        department_id = form.department_id.data
        category = db.session.get(Category, form.category_id.data)
        if not can_manage_unit(current_user, department_id) or not can_use_category(current_user, category):
            abort(404)
        exists = db.session.scalar(
            select(PracticeOpening).where(
                PracticeOpening.category_id == form.category_id.data,
                PracticeOpening.department_id.is_(None)
                if department_id is None
                else PracticeOpening.department_id == department_id,
            )
        )
        if exists is None:
            db.session.add(
                PracticeOpening(
                    category_id=form.category_id.data,
                    department_id=department_id,
                    opened_by_id=current_user.id,
                )
            )
            db.session.flush()
        flash(_("The category is open for practice."), "success")
        return redirect(url_for("practice.openings"))
    rows = db.session.scalars(select(PracticeOpening).join(Category).order_by(Category.path)).all()
    rows = [r for r in rows if r.department_id is None or can_manage_unit(current_user, r.department_id)]
    return render_template("practice/openings.html", form=form, rows=rows, remove_form=PostForm())


@bp.post("/openings/<int:opening_id>/remove")
@role_required(*OPENERS)
def remove_opening(opening_id: int):
    opening = db.session.get(PracticeOpening, opening_id)
    if opening is None or not can_manage_unit(current_user, opening.department_id):
        abort(404)
    if PostForm().validate_on_submit():
        db.session.delete(opening)
        db.session.flush()
        flash(_("The category is closed for practice."), "success")
    return redirect(url_for("practice.openings"))


def _visible_department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = db.session.get(Department, department_id)
    if department is None or department.id not in {d.id for d in _departments_in_scope()}:
        abort(404)
    return department


def _up(department: Department | None) -> int | None:
    """The department one level up when the viewer may see it (else the top of their heatmap)."""
    if department is None or department.parent_id is None:
        return None
    return department.parent_id if department.parent_id in {d.id for d in _departments_in_scope()} else None


def _rows(parent: Department | None) -> list[Department]:
    """The heatmap's rows: the children of ``parent``, or the top departments in the viewer's scope (going
    one level down while there is only one)."""
    in_scope = _departments_in_scope()
    ids = {d.id for d in in_scope}
    if parent is not None:
        return [d for d in in_scope if d.parent_id == parent.id] or [parent]
    rows = [d for d in in_scope if d.parent_id not in ids]
    while len(rows) == 1 and any(d.parent_id == rows[0].id for d in in_scope):
        rows = [d for d in in_scope if d.parent_id == rows[0].id]
    return rows


@bp.get("/heatmap")
@role_required(*STAFF_ROLES)
def heatmap():
    parent = _visible_department(request.args.get("dept", type=int))
    depth = 0 if request.args.get("depth") == "0" else 1
    columns = mastery.heatmap_columns(depth)
    data = mastery.heatmap(_rows(parent), columns, parent)
    return render_template(
        "practice/heatmap.html", data=data, depth=depth, bands=BAND_LABELS, up=_up(parent), grid=_grid(data)
    )


def _grid(data: mastery.Heatmap) -> list[list[dict]]:
    """Each row's cells ready to draw: link, fill colour, the number shown and the tooltip."""
    base = url_for("practice.heatmap_people")
    people = _("%(n)d people")
    unknown = str(BAND_LABELS["unknown"])
    grid = []
    for row in data.rows:
        cells = []
        for column in data.columns:
            cell = data.cells.get((row.id, column.id))
            known = cell is not None and cell.value is not None
            percent = int(round(cell.value * 100)) if known else None
            cells.append(
                {
                    "point": column.id,
                    "href": f"{base}?dept={row.id}&point={column.id}",
                    "fill": f"hsl({int(round(cell.value * 120))}, 70%, 78%)" if known else "#e9ecef",
                    "text": percent if known else "·",
                    "title": f"{column.name}: {percent}% ({people % {'n': cell.people}})"
                    if known
                    else f"{column.name}: {unknown}",
                }
            )
        grid.append(cells)
    return grid


@bp.get("/heatmap/people")
@role_required(*STAFF_ROLES)
def heatmap_people():
    department = _visible_department(request.args.get("dept", type=int))
    point = db.session.get(KnowledgePoint, request.args.get("point", 0, type=int))
    if department is None or point is None:
        abort(404)
    people = mastery.people_on_point(department, point)
    audit.record("practice.heatmap_people", department, details={"point": point.name})
    return render_template(
        "practice/heatmap_people.html", department=department, point=point, people=people, bands=BAND_LABELS,
        band=mastery.band, up=_up(department),
    )  # fmt: skip


def _plan_form(department: Department, courses: list[Course]) -> PlanItemForm:
    form = PlanItemForm()
    ancestors = [int(p) for p in department.path.strip("/").split("/") if p]
    plans = db.session.scalars(
        select(TrainingPlan).where(TrainingPlan.unit_id.in_(ancestors)).order_by(TrainingPlan.year.desc())
    ).all()
    plans = [p for p in plans if can_manage_unit(current_user, p.unit_id)]
    form.plan_id.choices = choices([(p.id, f"{p.title}（{p.unit.name}）") for p in plans])
    form.course_id.choices = choices([(c.id, f"{c.code} {c.title}") for c in courses])
    return form


@bp.route("/heatmap/plan", methods=["GET", "POST"])
@role_required(*OPENERS)
def weak_points_plan():
    """A department's weak points, the courses that cover them, and one step to put one in a plan."""
    department = _visible_department(request.values.get("dept", type=int))
    if department is None or not can_manage_unit(current_user, department.id):
        abort(404)
    columns = mastery.heatmap_columns(1)
    data = mastery.heatmap([department], columns, department.parent)
    weak = mastery.weak_points_of(data.cells, department.id, columns)
    recommended = mastery.recommended_courses([p.id for p in weak])
    form = _plan_form(department, [c for c, _points in recommended])
    if request.method == "GET" and recommended:
        form.planned_hours.data = recommended[0][0].hours
    if form.validate_on_submit():
        plan = db.session.get(TrainingPlan, form.plan_id.data)
        course = db.session.get(Course, form.course_id.data)
        try:
            training.add_plan_item(
                plan, course=course, planned_month=form.planned_month.data,
                planned_hours=form.planned_hours.data, headcount=0, departments=[department],
            )  # fmt: skip
        except training.TrainingError as error:
            raise PracticeError(str(error)) from error
        flash(_("The course is in the training plan."), "success")
        return redirect(url_for("training.plan_detail", plan_id=plan.id))
    return render_template(
        "practice/plan_item.html", department=department, weak=weak, recommended=recommended, form=form,
        cells=data.cells,
    )  # fmt: skip
