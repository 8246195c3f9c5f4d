"""Mastery per person × knowledge point, strong and weak points, the trainers' heatmap, and the courses
that cover weak points.

**The rule.** A person's mastery of a knowledge point is the share of right answers among their last 10
answers on questions carrying that point or a point below it (practice answers and exam answers once the
exam shows its answers), counted only from 3 answers on; below 3 it is unknown. 80 % or more is a strong
point, under 60 % a weak one. A department's mastery of a point is the mean of its people's known
mastery (people with fewer than 3 answers are left out, and the cell says how many people it counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select

from accounts.models import Department, Employee, EmployeeStatus
from core.extensions import db
from practice.models import DepartmentMastery, Mastery
from practice.recording import MIN_ANSWERS
from question_bank.models import KnowledgePoint
from training.models import Course, course_knowledge_points

STRONG = Decimal("0.8")
WEAK = Decimal("0.6")


def level(right: int, answered: int) -> Decimal | None:
    """Mastery as a share (0..1, two places) of ``right`` among the last ``answered`` answers; None below 3."""
    if answered < MIN_ANSWERS:
        return None
    return (Decimal(right) / Decimal(answered)).quantize(Decimal("0.01"))


def band(value: Decimal | None) -> str:
    """'strong', 'weak', 'middle' or 'unknown'."""
    if value is None:
        return "unknown"
    return "strong" if value >= STRONG else "weak" if value < WEAK else "middle"


@dataclass
class PointMastery:
    point: KnowledgePoint
    value: Decimal | None
    answered: int  # among the last 10

    @property
    def band(self) -> str:
        return band(self.value)


def person_mastery(employee: Employee) -> list[PointMastery]:
    """The person's mastery of every point they have answered on, finest points first within the guide's
    order (chapters and sections included: their mastery counts the answers below them)."""
    rows = db.session.execute(
        select(Mastery, KnowledgePoint)
        .join(KnowledgePoint, KnowledgePoint.id == Mastery.knowledge_point_id)
        .where(Mastery.employee_id == employee.id)
    ).all()
    out = [PointMastery(p, level(m.right_count, len(m.recent)), len(m.recent)) for m, p in rows]
    return sorted(out, key=lambda r: (r.point.guide_section, r.point.name))


def strong_and_weak(employee: Employee) -> tuple[list[PointMastery], list[PointMastery]]:
    """The person's strong points (best first) and weak points (weakest first), finest points only (a
    point with points below it is left out when one of those is listed)."""
    rows = [r for r in person_mastery(employee) if r.value is not None]
    parents = {r.point.parent_id for r in rows}
    leaves = [r for r in rows if r.point.id not in parents]
    strong = sorted((r for r in leaves if r.band == "strong"), key=lambda r: -r.value)
    weak = sorted((r for r in leaves if r.band == "weak"), key=lambda r: r.value)
    return strong, weak


def recommended_courses(point_ids: list[int]) -> list[tuple[Course, list[KnowledgePoint]]]:
    """Active courses covering any of the points (or a point below one of them), with the points each covers;
    most points covered first."""
    if not point_ids:
        return []
    points = list(db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.id.in_(point_ids))))
    wanted: dict[int, KnowledgePoint] = {}
    for point in points:
        below = (
            select(KnowledgePoint.id).where(KnowledgePoint.path.startswith(point.path))
            if point.path
            else None
        )
        ids = list(db.session.scalars(below)) if below is not None else [point.id]
        for id_ in ids:
            wanted.setdefault(id_, point)
    rows = db.session.execute(
        select(Course, course_knowledge_points.c.knowledge_point_id)
        .join(course_knowledge_points, course_knowledge_points.c.course_id == Course.id)
        .where(Course.active.is_(True), course_knowledge_points.c.knowledge_point_id.in_(list(wanted)))
        .order_by(Course.code)
    ).all()
    covered: dict[int, tuple[Course, dict[int, KnowledgePoint]]] = {}
    for course, point_id in rows:
        entry = covered.setdefault(course.id, (course, {}))
        entry[1][wanted[point_id].id] = wanted[point_id]
    ranked = sorted(covered.values(), key=lambda e: (-len(e[1]), e[0].code))
    return [(course, list(found.values())) for course, found in ranked]


# ---------------------------------------------------------------- the heatmap


@dataclass
class Cell:
    value: Decimal | None
    people: int  # people whose mastery is known


@dataclass
class Heatmap:
    rows: list[Department]
    columns: list[KnowledgePoint]
    cells: dict[tuple[int, int], Cell]
    parent: Department | None


def heatmap_columns(depth: int = 1) -> list[KnowledgePoint]:
    """The points shown as columns: the guide's sections (depth 1) by default, in the guide's order."""
    points = list(db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.path != "")))
    chosen = [p for p in points if p.path.count("/") - 1 == depth + 1] or points
    return sorted(chosen, key=lambda p: (_section_key(p.guide_section), p.position, p.name))


def _section_key(section: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 99 for p in section.split(".")) if section else (99,)


def heatmap(rows: list[Department], columns: list[KnowledgePoint], parent: Department | None) -> Heatmap:
    """The mean known mastery of each row's department subtree on each column point (active staff), read from
    the departments' sums (``DepartmentMastery``): at most departments × points rows, whatever the staff."""
    row_of: dict[int, int] = {}
    subtree = db.session.execute(select(Department.id, Department.path)).all() if rows else []
    for dept_id, path in subtree:
        for row in rows:
            if path.startswith(row.path):
                row_of[dept_id] = row.id
                break
    column_ids = [c.id for c in columns]
    query = select(
        DepartmentMastery.department_id,
        DepartmentMastery.knowledge_point_id,
        DepartmentMastery.people,
        DepartmentMastery.share_sum,
    ).where(
        DepartmentMastery.knowledge_point_id.in_(column_ids),
        DepartmentMastery.department_id.in_(list(row_of)),
        DepartmentMastery.people > 0,
    )
    sums: dict[tuple[int, int], list] = {}
    for dept_id, point_id, people, total in db.session.execute(query):
        key = (row_of[dept_id], point_id)
        acc = sums.setdefault(key, [0, Decimal(0)])
        acc[0] += people
        acc[1] += Decimal(total or 0)
    cells = {
        key: Cell(((total / people).quantize(Decimal("0.01")) if people else None), people)
        for key, (people, total) in sums.items()
    }
    return Heatmap(rows, columns, cells, parent)


def people_on_point(
    department: Department, point: KnowledgePoint
) -> list[tuple[Employee, Decimal | None, int]]:
    """The drill-down: each active person of the department subtree with their mastery of ``point``."""
    rows = db.session.execute(
        select(Employee, Mastery.right_count, func.length(Mastery.recent))
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(Mastery, and_(Mastery.employee_id == Employee.id, Mastery.knowledge_point_id == point.id))
        .where(Department.path.startswith(department.path), Employee.status == EmployeeStatus.ACTIVE)
        .order_by(Employee.employee_no)
    ).all()
    out = [(e, level(r or 0, n or 0), n or 0) for e, r, n in rows]
    return sorted(out, key=lambda t: (t[1] is None, t[1] if t[1] is not None else 0))


def weak_points_of(
    cells: dict[tuple[int, int], Cell], row_id: int, columns: list[KnowledgePoint]
) -> list[KnowledgePoint]:
    """The column points on which a row's department is weak (mean known mastery under 60 %)."""
    return [
        c
        for c in columns
        if (cell := cells.get((row_id, c.id))) and cell.value is not None and cell.value < WEAK
    ]
