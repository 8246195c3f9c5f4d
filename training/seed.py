"""Demo training data (over the starter certificate types and courses of ``training.starter``):
a 2026 plan per unit, sessions with attendance, and qualification records with varied expiry."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import delete, select

from accounts.models import Department, Employee, Position
from core.extensions import db
from core.seeding import Outcome
from core.timeutil import LOCAL_TZ
from training import course_sessions, starter
from training import qualifications as quals
from training.expiry import expiry_for
from training.models import (
    Certificate,
    CertificateType,
    Course,
    Enrolment,
    PlanPeriod,
    TrainingPlan,
    TypeOrigin,
)
from training.services import add_plan_item, create_plan

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
    if db.session.scalar(select(TrainingPlan.id).limit(1)) is not None:
        return
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    if "HY-KF" not in departments:
        return
    # The certificate types and courses are starter content (``seed-content`` runs before the demo).
    starter.seed_certificate_types(Outcome("certificate-types"))
    starter.seed_courses(Outcome("courses"))
    types = {t.code: t for t in db.session.scalars(select(CertificateType))}
    courses = {c.code: c for c in db.session.scalars(select(Course))}

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
    # attendance before hours (issue 25): the trainer confirms the list after the end
    completed = course_sessions.confirm_enrolments(attended, now=session.ends_at, certify=False)
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


def remove_demo_certificates(employee_ids: list[int], user_ids: list[int]) -> None:
    """Delete the certificates of demo people (for ``remove-demo``); their records, enrolments and hours go
    with the people (ON DELETE CASCADE)."""
    db.session.execute(delete(Certificate).where(Certificate.employee_id.in_(employee_ids)))
