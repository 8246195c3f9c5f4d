"""Demo training data: certificate types and the posts requiring them, courses from guide 1.5 and 6.4,
a 2026 plan per unit, sessions with attendance, and qualification records with varied expiry."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from accounts.models import Department, Employee, Position
from core.extensions import db
from core.timeutil import LOCAL_TZ
from training import course_sessions
from training import qualifications as quals
from training.expiry import expiry_for
from training.models import (
    CertificateType,
    Course,
    CourseFormat,
    Enrolment,
    KnowledgePoint,
    PlanPeriod,
    TypeOrigin,
)
from training.services import add_plan_item, create_plan

# (code, name, validity months, issuer, origin, positions requiring it)
CERTIFICATE_TYPES = [
    ("KFZY", "客户服务专员岗位资格", 36, "华源省电力公司培训中心", TypeOrigin.INTERNAL, ["CSR", "CLERK"]),
    ("TZDG", "特种作业操作证（电工）", 72, "应急管理部门", TypeOrigin.EXTERNAL, ["ELEC", "EMERG"]),
    ("DDSG", "电力调度员上岗证", 24, "华源省电力调度控制中心", TypeOrigin.INTERNAL, ["DISP"]),
    ("YJJY", "应急救援员", 48, "人力资源社会保障部门", TypeOrigin.EXTERNAL, ["EMERG"]),
    ("FWLY", "服务礼仪培训合格", 24, "华源省电力公司培训中心", TypeOrigin.INTERNAL, ["CSR", "CLERK"]),
    (
        "XXAQ",
        "信息安全培训合格",
        12,
        "华源省电力公司信息通信中心",
        TypeOrigin.INTERNAL,
        ["CSR", "CLERK", "DISP", "METER"],
    ),
]

KNOWLEDGE_POINTS = [
    ("应急知识", "6.4"),
    ("应急技能", "6.4"),
    ("应急流程", "6.4"),
    ("应急装备使用", "6.4"),
    ("客户沟通技巧", "6.4"),
    ("服务理念", "1.5"),
    ("服务流程", "1.5"),
    ("服务技能", "1.5"),
    ("服务规范", "1.5"),
    ("信息安全与个人信息保护", "3.4"),
]

# (code, title, chapters, hours, form, positions, knowledge points, grants type)
COURSES = [
    (
        "YJ-101",
        "应急预案与应急响应流程",
        "6.1, 6.3",
        "4",
        CourseFormat.CLASSROOM,
        ["ELEC", "EMERG", "DISP"],
        ["应急知识", "应急流程"],
        None,
    ),
    (
        "YJ-102",
        "应急装备使用实操",
        "6.2, 6.4",
        "6",
        CourseFormat.FIELD_DRILL,
        ["ELEC", "EMERG"],
        ["应急装备使用", "应急技能"],
        None,
    ),
    (
        "YJ-103",
        "停电事件客户沟通模拟演练",
        "6.2, 6.4",
        "3",
        CourseFormat.SIMULATION,
        ["CSR", "CLERK"],
        ["客户沟通技巧", "应急流程"],
        None,
    ),
    (
        "FW-201",
        "服务理念与服务规范",
        "1.5, 7.1",
        "4",
        CourseFormat.CLASSROOM,
        ["CSR", "CLERK", "METER"],
        ["服务理念", "服务规范"],
        None,
    ),
    (
        "FW-202",
        "95598服务流程与工单处理",
        "1.5, 3.3",
        "6",
        CourseFormat.ONLINE,
        ["CSR"],
        ["服务流程", "服务技能"],
        None,
    ),
    (
        "FW-203",
        "服务礼仪培训",
        "7.2",
        "4",
        CourseFormat.CLASSROOM,
        ["CSR", "CLERK"],
        ["服务规范", "客户沟通技巧"],
        "FWLY",
    ),
    (
        "AQ-301",
        "信息安全与个人信息保护",
        "3.4",
        "2",
        CourseFormat.ONLINE,
        ["CSR", "CLERK", "DISP", "METER"],
        ["信息安全与个人信息保护"],
        "XXAQ",
    ),
]

# unit code → (plan title, [(course code, month, headcount, target positions)])
PLANS = {
    "HY-KF": (
        "95598客户服务中心2026年度培训计划",
        [
            ("FW-201", 3, 22, ["CSR"]),
            ("FW-202", 4, 22, ["CSR"]),
            ("AQ-301", 5, 22, ["CSR"]),
            ("YJ-103", 9, 22, ["CSR"]),
            ("FW-203", 11, 22, ["CSR"]),
        ],
    ),
    "HY-CD": (
        "城东供电分公司2026年度培训计划",
        [
            ("YJ-101", 3, 13, ["ELEC", "EMERG", "DISP"]),
            ("FW-201", 4, 8, ["CLERK", "METER"]),
            ("YJ-102", 6, 9, ["ELEC", "EMERG"]),
            ("AQ-301", 8, 12, []),
        ],
    ),
    "HY-JB": (
        "江北供电分公司2026年度培训计划",
        [
            ("YJ-101", 4, 8, ["ELEC", "EMERG"]),
            ("FW-203", 5, 5, ["CLERK"]),
            ("YJ-102", 10, 8, ["ELEC", "EMERG"]),
        ],
    ),
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def seed_training(report) -> None:
    """Types, knowledge points, courses, plans, sessions, attendance and records (idempotent)."""
    if db.session.scalar(select(CertificateType.id).limit(1)) is not None:
        return
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    if "HY-KF" not in departments:
        return
    types = _seed_certificate_types(positions)
    courses = _seed_courses(positions, types)
    db.session.flush()

    rng = random.Random(2026)
    now = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    trainer = db.session.scalar(select(Employee).where(Employee.employee_no == "T0001"))
    employees = list(db.session.scalars(select(Employee).order_by(Employee.employee_no)))
    completed = []
    for unit_code, (title, items) in PLANS.items():
        unit = departments[unit_code]
        if unit_code == "HY-KF":
            # Prior years' plan for the customer-service centre, so "clone from last year" has a source.
            _seed_plan(unit, 2025, title.replace("2026", "2025"), items[:3], courses, positions, trainer)
        plan_items = _seed_plan(unit, 2026, title, items, courses, positions, trainer)
        for item, (_code, month, headcount, posts) in zip(plan_items, items, strict=True):
            if month > 10:
                continue  # still ahead (or overdue) in the demo year
            completed.extend(_deliver(item, unit, headcount, posts, employees, trainer, rng, now))
    # Every demo certificate of a completed course in one layout batch (not one per session).
    course_sessions.certify_completions(completed, now=now)
    _seed_open_sessions(courses, departments, trainer)
    _seed_records(types, employees, rng, now)
    db.session.flush()
    report("Training: certificate types, 7 courses, 2026 plans per unit, sessions and certificates seeded.")


def _seed_certificate_types(positions: dict) -> dict[str, CertificateType]:
    types = {}
    for code, name, months, issuer, origin, posts in CERTIFICATE_TYPES:
        types[code] = CertificateType(
            code=code,
            name=name,
            validity_months=months,
            issuer=issuer,
            origin=origin,
            number_prefix=code,
            positions=[positions[p] for p in posts if p in positions],
        )
        db.session.add(types[code])
    return types


def _seed_courses(positions: dict, types: dict) -> dict[str, Course]:
    """The knowledge points and the courses teaching them."""
    points = {name: KnowledgePoint(name=name, guide_section=section) for name, section in KNOWLEDGE_POINTS}
    db.session.add_all(points.values())
    courses = {}
    for code, title, chapters, hours, form, posts, kps, grants in COURSES:
        courses[code] = Course(
            code=code,
            title=title,
            guide_chapters=chapters,
            hours=Decimal(hours),
            form=form,
            description=f"《电力系统客户服务指南》{chapters}",
            positions=[positions[p] for p in posts if p in positions],
            knowledge_points=[points[k] for k in kps],
            grants_certificate_type=types[grants] if grants else None,
        )
        db.session.add(courses[code])
    return courses


def _seed_plan(unit, year: int, title: str, items, courses: dict, positions: dict, trainer) -> list:
    """A year's plan of ``unit`` with its items; returns the items in order."""
    plan = create_plan(unit, year, PlanPeriod.YEAR, title)
    return [
        add_plan_item(
            plan,
            course=courses[course_code],
            planned_month=month,
            planned_hours=courses[course_code].hours,
            headcount=headcount,
            trainer=trainer,
            positions=[positions[p] for p in posts],
        )
        for course_code, month, headcount, posts in items
    ]


def _deliver(item, unit, headcount: int, posts: list, employees: list, trainer, rng, now) -> list:
    """Deliver a plan item (a few days late one time in four) with ~90% of the target staff attending;
    returns the completions, whose certificates are issued later in one batch."""
    late = rng.random() < 0.25
    day = dt.date(2026, item.planned_month + (1 if late else 0), rng.randint(8, 24))
    session = course_sessions.create_session(
        item.course,
        department=unit,
        title=item.course.title,
        starts_at=_at(day, 9),
        ends_at=_at(day, 12),
        place=f"{unit.name}培训室",
        trainer=trainer,
        capacity=max(headcount, 5) + 5,
        self_enrolment=False,
        plan_item=item,
    )
    targets = [
        e
        for e in employees
        if e.department.path.startswith(unit.path) and (not posts or e.position.code in posts)
    ]
    for employee in targets:
        enrolment = Enrolment(session=session, employee=employee, assigned=True, requested_at=now)
        db.session.add(enrolment)
        if rng.random() < 0.92:
            enrolment.attended_at = session.starts_at
            enrolment.checkin_method = "qr"
    db.session.flush()
    attended = [e for e in session.enrolments if e.attended_at]
    completed = course_sessions.complete_if_due(attended, now=session.ends_at, certify=False)
    course_sessions.mark_delivered(session, now=session.ends_at)
    return completed


def _seed_open_sessions(courses: dict, departments: dict, trainer) -> None:
    """Upcoming sessions open for self-enrolment (with a small capacity to show the waiting list)."""
    for offset, course_code, unit_code in (
        (10, "FW-203", "HY-KF"),
        (18, "YJ-102", "HY-CD"),
        (25, "AQ-301", "HY-JB"),
    ):
        day = dt.date(2026, 11, 26) + dt.timedelta(days=offset)
        course_sessions.create_session(
            courses[course_code],
            department=departments[unit_code],
            title=courses[course_code].title,
            starts_at=_at(day, 14),
            ends_at=_at(day, 17),
            place="培训中心201教室",
            trainer=trainer,
            capacity=12,
            self_enrolment=True,
        )


def _seed_records(types: dict, employees: list, rng, now) -> None:
    """Records for the remaining required types, with varied expiry (some expiring, some expired, some
    missing); the internal ones are granted together: one layout pass for all the demo certificates."""
    today = dt.date(2026, 11, 26)
    grants: list[quals.Grant] = []
    for employee in employees:
        for ctype in (t for t in types.values() if employee.position in t.positions):
            if quals.current_record(employee, ctype) is not None:
                continue
            roll = rng.random()
            if roll < 0.08:
                continue  # missing: shows in the matrix
            months = ctype.validity_months or 36
            if roll < 0.16:
                issued = today - dt.timedelta(days=months * 30 + rng.randint(5, 60))
            elif roll < 0.30:
                issued = today - dt.timedelta(days=months * 30 - rng.randint(5, 85))
            else:
                issued = today - dt.timedelta(days=rng.randint(30, months * 15))
            if ctype.origin == TypeOrigin.INTERNAL:
                grants.append(
                    quals.Grant(employee, ctype, f"seed:{employee.employee_no}:{ctype.code}", issued)
                )
            else:
                quals.record_external_qualification(
                    employee,
                    ctype,
                    number=f"T{rng.randrange(10**11):011d}",
                    issued_on=issued,
                    expires_on=expiry_for(issued, ctype.validity_months),
                    now=now,
                    note="演示数据",
                )
    quals.grant_qualifications(grants, now=now)
