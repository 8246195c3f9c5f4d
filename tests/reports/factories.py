"""A person with a record in every package, for the reports tests (add and flush, never commit)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Employee
from core.extensions import db
from drills.models import DrillParticipant, DrillStatus, Tier
from exams.models import Attempt, AttemptStatus
from incentives.models import RuleCategory
from reports.models import ServiceIndicator
from tests import factories as base
from tests.drills import factories as drill_factories
from tests.exams import factories as exam_factories
from tests.incentives import factories as incentive_factories
from tests.training import factories as training_factories
from training.hours import credit_hours
from training.models import CourseCompletion, HoursSource
from training.qualifications import grant_qualification

NOW = dt.datetime(2026, 7, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, early 2026H2
_seq = itertools.count(1)


def utc(day: str, hour: int = 2) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def completion(employee: Employee, course, day: str) -> CourseCompletion:
    n = next(_seq)
    done = CourseCompletion(
        employee_id=employee.id,
        course_id=course.id,
        source_key=f"test-completion:{n}",
        completed_at=utc(day),
        completed_on=dt.date.fromisoformat(day),
    )
    db.session.add(done)
    db.session.flush()
    credit_hours(
        employee,
        course.hours,
        source=HoursSource.COURSE,
        source_key=f"completion:{done.id}",
        earned_on=done.completed_on,
        description=course.title,
    )
    return done


def attempt(employee: Employee, exam, day: str, score, *, number=1, passed=None) -> Attempt:
    at = utc(day)
    a = Attempt(
        exam_id=exam.id,
        employee_id=employee.id,
        number=number,
        status=AttemptStatus.GRADED,
        seed=1,
        started_at=at - dt.timedelta(minutes=30),
        deadline=at + dt.timedelta(minutes=30),
        submitted_at=at,
        graded_at=at,
        score=Decimal(score),
        max_score=Decimal(100),
        passed=Decimal(score) >= 60 if passed is None else passed,
    )
    db.session.add(a)
    db.session.flush()
    return a


def indicator(
    employee: Employee, month: str, work_orders=100, satisfaction="98.5", complaints=0, commendations=1
):
    row = ServiceIndicator(
        employee_id=employee.id,
        month=dt.date.fromisoformat(month + "-01"),
        work_orders=work_orders,
        satisfaction=Decimal(satisfaction) if satisfaction is not None else None,
        complaints=complaints,
        commendations=commendations,
    )
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class Person:
    employee: Employee
    required_type: object
    missing_type: object
    record: object


def person_with_records(department=None, suffix: str = "") -> Person:
    """Someone whose first half of 2026 holds one of everything (and 2025 a little, to be left out)."""
    position = base.position(hours=40)
    employee = base.employee(name="张三", department=department, position=position)
    required = training_factories.certificate_type(
        months=12, positions=[position], name=f"低压电工作业证{suffix}"
    )
    missing = training_factories.certificate_type(
        months=12, positions=[position], name=f"客户服务专员证{suffix}"
    )
    record = grant_qualification(
        employee,
        required,
        source_key=f"test-qual:{employee.id}",
        issued_on=dt.date(2026, 3, 1),
        now=utc("2026-03-01"),
    )
    classroom = training_factories.course(hours="6", form="classroom", title="供电服务规范")
    online = training_factories.course(hours="2", form="online", title="安全规程在线学习")
    completion(employee, classroom, "2026-03-10")
    completion(employee, online, "2026-05-02")
    completion(employee, online, "2025-11-02")  # another period
    credit_hours(
        employee,
        Decimal("1.5"),
        source=HoursSource.MANUAL,
        source_key=f"manual:{employee.id}",
        earned_on=dt.date(2026, 4, 1),
    )
    exam = exam_factories.exam(title="客服规范考试", max_attempts=2)
    attempt(employee, exam, "2026-04-10", 50, number=1)
    attempt(employee, exam, "2026-04-11", 82, number=2)
    unit = drill_factories.unit()
    plan = drill_factories.plan()
    drill = drill_factories.bare_drill(unit, plan, "2026-05-20 09:00", tier=Tier.EXCELLENT)
    drill.form = "live"
    db.session.add(DrillParticipant(drill=drill, employee_id=employee.id, role="commander", attended=True))
    cancelled = drill_factories.bare_drill(unit, plan, "2026-06-20 09:00", status=DrillStatus.CANCELLED)
    db.session.add(DrillParticipant(drill=cancelled, employee_id=employee.id, role="player"))
    credit_hours(
        employee,
        Decimal(3),
        source=HoursSource.DRILL,
        source_key=f"drill:drill:{drill.id}:employee:{employee.id}",
        earned_on=dt.date(2026, 5, 20),
    )
    praise = incentive_factories.rule(f"PRAISE-{employee.id}", category=RuleCategory.PRAISE, points=5)
    incentive_factories.entry(employee, praise, when=utc("2026-02-01"))
    incentive_factories.entry(employee, praise, 3, when=utc("2025-12-01"))
    indicator(employee, "2026-01", work_orders=100, satisfaction="98.0")
    indicator(employee, "2026-02", work_orders=300, satisfaction="90.0", complaints=1)
    indicator(employee, "2026-07", work_orders=50)
    db.session.flush()
    return Person(employee, required, missing, record)
