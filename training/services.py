"""Courses, training plans and coverage; plus who may manage what (department scope).

Public functions other packages call live in their concern modules and are re-exported here:
``issue_certificate``, ``issue_certificates``, ``reissue_certificate``, ``revoke_certificate``
(training.certificates), ``grant_qualification`` (training.qualifications),
``record_course_exam_passed`` (training.course_sessions), ``credit_hours``, ``hours_summary`` (training.hours).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select

from accounts.models import Department, Employee, EmployeeStatus
from accounts.services import can_manage_unit, covers_department, scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from question_bank.knowledge import point_named
from question_bank.models import KnowledgePoint
from training.certificates import (  # noqa: F401 — re-exported public API
    CertificateSpec,
    issue_certificate,
    issue_certificates,
    reissue_certificate,
    revoke_certificate,
)
from training.course_sessions import record_course_exam_passed  # noqa: F401 — re-exported public API
from training.errors import TrainingError
from training.hours import credit_hours, hours_summary  # noqa: F401 — re-exported public API
from training.models import (
    Course,
    CourseCompletion,
    PlanItem,
    PlanPeriod,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
    course_knowledge_points,
    course_positions,
    plan_item_departments,
    plan_item_positions,
)
from training.qualifications import grant_qualification  # noqa: F401 — re-exported public API

PERCENT = Decimal("0.1")


# ---------------------------------------------------------------- access


def can_view_unit(user, department_id: int | None) -> bool:
    """Trainers, HR (in scope) and admins may view plans and sessions of a unit."""
    if can_manage_unit(user, department_id):
        return True
    if not user.has_any_role(Role.HR):
        return False
    if department_id is None:
        return user.scope_roots(Role.HR) is None
    return covers_department(user, Role.HR, db.session.get(Department, department_id))


def staff_scope(user, column):
    """A clause over a department column for what ``user`` may see as trainer, HR or admin."""
    if user.has_any_role(Role.ADMIN):
        return scope_clause(user, Role.ADMIN, column)
    return or_(scope_clause(user, Role.TRAINER, column), scope_clause(user, Role.HR, column))


# ---------------------------------------------------------------- courses


def knowledge_points_named(text: str) -> list[KnowledgePoint]:
    """The knowledge points named in ``text`` (separated by commas, 、 or ；), created when new."""
    names = []
    for part in re.split(r"[,，、;；\n]+", text or ""):
        name = part.strip()[:100]
        if name and name not in names:
            names.append(name)
    if not names:
        return []
    found = {
        k.name: k for k in db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.name.in_(names)))
    }
    points = []
    for name in names:
        point = found.get(name)
        if point is None:
            point = point_named(name)
        points.append(point)
    return points


def save_course(course: Course | None, **fields) -> Course:
    """Create or update a course from validated form fields (course codes are unique)."""
    clash = db.session.scalar(
        select(Course.id).where(Course.code == fields["code"], Course.id != (course.id if course else -1))
    )
    if clash:
        raise TrainingError(_("Course code %(code)s is already used.", code=fields["code"]), status=409)
    if course is None:
        course = Course()
        db.session.add(course)
    for key, value in fields.items():
        setattr(course, key, value)
    if course.requires_exam and course.form == "online" and course.hours is None:
        course.hours = Decimal(0)
    db.session.flush()
    return course


# ---------------------------------------------------------------- plans


def create_plan(unit: Department, year: int, period: str, title: str) -> TrainingPlan:
    """A new, empty plan of ``unit`` for the year or a half-year."""
    if period not in {p.value for p in PlanPeriod}:
        raise TrainingError(_("Unknown plan period."))
    if db.session.scalar(
        select(TrainingPlan.id).where(
            TrainingPlan.unit_id == unit.id, TrainingPlan.year == year, TrainingPlan.period == period
        )
    ):
        raise TrainingError(_("This unit already has a plan for that period."), status=409)
    plan = TrainingPlan(unit=unit, year=year, period=period, title=title)
    db.session.add(plan)
    db.session.flush()
    return plan


def update_plan(plan: TrainingPlan, *, unit: Department, year: int, period: str, title: str) -> TrainingPlan:
    """Change a plan's title, unit or period; every item's month must still lie in the period."""
    if period not in {p.value for p in PlanPeriod}:
        raise TrainingError(_("Unknown plan period."))
    if db.session.scalar(
        select(TrainingPlan.id).where(
            TrainingPlan.unit_id == unit.id,
            TrainingPlan.year == year,
            TrainingPlan.period == period,
            TrainingPlan.id != plan.id,
        )
    ):
        raise TrainingError(_("This unit already has a plan for that period."), status=409)
    months = _period_months(period)
    if any(item.planned_month not in months for item in plan.items):
        raise TrainingError(_("Some items are planned for months outside that period."))
    plan.unit, plan.year, plan.period, plan.title = unit, year, period, title
    db.session.flush()
    return plan


def _period_months(period: str) -> range:
    return {PlanPeriod.H1: range(1, 7), PlanPeriod.H2: range(7, 13)}.get(PlanPeriod(period), range(1, 13))


def plan_months(plan: TrainingPlan) -> range:
    return _period_months(plan.period)


def add_plan_item(
    plan: TrainingPlan,
    *,
    course: Course,
    planned_month: int,
    planned_hours: Decimal,
    headcount: int,
    trainer: Employee | None = None,
    departments=(),
    positions=(),
) -> PlanItem:
    """Add an item to a plan (its month must lie in the plan's period)."""
    if planned_month not in plan_months(plan):
        raise TrainingError(_("The planned month lies outside the plan's period."))
    if planned_hours <= 0 or headcount < 0:
        raise TrainingError(_("Planned hours must be positive and the headcount not negative."))
    item = PlanItem(
        plan=plan,
        course=course,
        planned_month=planned_month,
        planned_hours=planned_hours,
        headcount=headcount,
        trainer=trainer,
        departments=list(departments) or [plan.unit],
        positions=list(positions),
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_plan_item(
    item: PlanItem,
    *,
    course: Course,
    planned_month: int,
    planned_hours: Decimal,
    headcount: int,
    trainer: Employee | None,
    departments=(),
    positions=(),
) -> PlanItem:
    """Change a plan item (same checks as adding one)."""
    if planned_month not in plan_months(item.plan):
        raise TrainingError(_("The planned month lies outside the plan's period."))
    if planned_hours <= 0 or headcount < 0:
        raise TrainingError(_("Planned hours must be positive and the headcount not negative."))
    item.course, item.planned_month, item.planned_hours = course, planned_month, planned_hours
    item.headcount, item.trainer = headcount, trainer
    item.departments = list(departments) or [item.plan.unit]
    item.positions = list(positions)
    db.session.flush()
    return item


def delete_plan_item(item: PlanItem) -> None:
    """Remove an item from its plan; sessions delivered for it stay, unlinked from the plan."""
    for session in db.session.scalars(select(TrainingSession).where(TrainingSession.plan_item_id == item.id)):
        session.plan_item = None
    item.plan.items.remove(item)
    db.session.delete(item)
    db.session.flush()


def clone_plan(source: TrainingPlan, year: int, *, title: str | None = None) -> TrainingPlan:
    """Copy a plan (usually last year's) with all its items to ``year``."""
    plan = create_plan(
        source.unit, year, source.period, title or source.title.replace(str(source.year), str(year))
    )
    plan.cloned_from_id = source.id
    for item in source.items:
        db.session.add(
            PlanItem(
                plan=plan,
                course=item.course,
                planned_month=item.planned_month,
                planned_hours=item.planned_hours,
                headcount=item.headcount,
                trainer=item.trainer,
                departments=list(item.departments),
                positions=list(item.positions),
            )
        )
    db.session.flush()
    return plan


def item_progress(plan: TrainingPlan, today: dt.date) -> list[dict]:
    """Per item: delivered sessions and hours against planned; on time (delivered by the end of its
    month), late (delivered after it), overdue (month passed, nothing delivered) or pending."""
    ids = [i.id for i in plan.items]
    delivered: dict[int, list] = {i: [] for i in ids}
    if ids:
        for session in db.session.scalars(
            select(TrainingSession).where(
                TrainingSession.plan_item_id.in_(ids), TrainingSession.status == SessionStatus.DELIVERED
            )
        ):
            delivered[session.plan_item_id].append(session)
    out = []
    for item in plan.items:
        sessions = delivered[item.id]
        month_end = _month_end(plan.year, item.planned_month)
        if sessions:
            first = min(s.starts_at for s in sessions).astimezone(dt.UTC).date()
            state = "on_time" if first <= month_end else "late"
        else:
            state = "overdue" if today > month_end else "pending"
        hours = sum((Decimal(item.course.hours) for _ in sessions), Decimal(0))
        out.append({"item": item, "sessions": len(sessions), "hours": hours, "state": state})
    return out


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def plan_summary(plan: TrainingPlan, today: dt.date) -> dict:
    progress = item_progress(plan, today)
    delivered = sum(1 for p in progress if p["sessions"])
    return {
        "items": len(progress),
        "delivered": delivered,
        "on_time": sum(1 for p in progress if p["state"] == "on_time"),
        "late": sum(1 for p in progress if p["state"] == "late"),
        "overdue": sum(1 for p in progress if p["state"] == "overdue"),
        "planned_hours": sum((p["item"].planned_hours for p in progress), Decimal(0)),
    }


# ---------------------------------------------------------------- coverage (computed in SQL)


def _share(done: int, target: int) -> Decimal | None:
    if not target:
        return None
    return (Decimal(done) * 100 / Decimal(target)).quantize(PERCENT)


def plan_coverage(plan: TrainingPlan) -> dict[int, dict]:
    """Per plan item: target staff (active, in its departments' subtrees, holding one of its positions
    or any when none) and how many completed its course within the plan year. One grouped query."""
    start, end = dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)
    dept = Department.__table__.alias("target_dept")
    in_departments = exists(
        select(1)
        .select_from(plan_item_departments.join(dept, dept.c.id == plan_item_departments.c.department_id))
        .where(
            plan_item_departments.c.plan_item_id == PlanItem.id,
            Department.path.startswith(dept.c.path),
        )
    )
    position_ok = or_(
        ~exists(select(1).where(plan_item_positions.c.plan_item_id == PlanItem.id)),
        exists(
            select(1).where(
                plan_item_positions.c.plan_item_id == PlanItem.id,
                plan_item_positions.c.position_id == Employee.position_id,
            )
        ),
    )
    completed = exists(
        select(1).where(
            CourseCompletion.employee_id == Employee.id,
            CourseCompletion.course_id == PlanItem.course_id,
            CourseCompletion.completed_on.between(start, end),
        )
    )
    query = (
        select(
            PlanItem.id,
            func.count(Employee.id),
            func.coalesce(func.sum(case((completed, 1), else_=0)), 0),
        )
        .select_from(PlanItem)
        .join(Employee, Employee.status == EmployeeStatus.ACTIVE)
        .join(Department, Department.id == Employee.department_id)
        .where(PlanItem.plan_id == plan.id, in_departments, position_ok)
        .group_by(PlanItem.id)
    )
    result = {item.id: {"target": 0, "completed": 0, "share": None} for item in plan.items}
    for item_id, target, done in db.session.execute(query):
        result[item_id] = {"target": target, "completed": int(done), "share": _share(int(done), target)}
    return result


def knowledge_point_coverage(year: int, scope_condition) -> list[dict]:
    """Per knowledge point: the active staff in scope whose position some course on that point targets,
    and how many of them completed one such course in ``year``. One grouped query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    targeted = exists(
        select(1)
        .select_from(
            course_knowledge_points.join(
                course_positions, course_positions.c.course_id == course_knowledge_points.c.course_id
            )
        )
        .where(
            course_knowledge_points.c.knowledge_point_id == KnowledgePoint.id,
            course_positions.c.position_id == Employee.position_id,
        )
    )
    completed = exists(
        select(1)
        .select_from(
            CourseCompletion.__table__.join(
                course_knowledge_points, course_knowledge_points.c.course_id == CourseCompletion.course_id
            )
        )
        .where(
            course_knowledge_points.c.knowledge_point_id == KnowledgePoint.id,
            CourseCompletion.employee_id == Employee.id,
            CourseCompletion.completed_on.between(start, end),
        )
    )
    query = (
        select(
            KnowledgePoint.id,
            KnowledgePoint.name,
            KnowledgePoint.guide_section,
            func.count(Employee.id),
            func.coalesce(func.sum(case((completed, 1), else_=0)), 0),
        )
        .select_from(KnowledgePoint)
        .join(Employee, and_(Employee.status == EmployeeStatus.ACTIVE, targeted))
        .where(scope_condition)
        .group_by(KnowledgePoint.id, KnowledgePoint.name, KnowledgePoint.guide_section)
        .order_by(KnowledgePoint.name)
    )
    return [
        {
            "id": kp_id,
            "name": name,
            "section": section,
            "target": target,
            "completed": int(done),
            "share": _share(int(done), target),
        }
        for kp_id, name, section, target, done in db.session.execute(query)
    ]
