"""Completing a course: confirmed attendance of a session (or an online course's exam pass) becomes a
completion, its hours in the 学时 ledger (``training.hours``), its certificate and the
``core.signals.training_completed`` signal (points). The rules are described in ``training.course_sessions``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accounts.models import Employee
from core import signals
from core.extensions import db
from core.timeutil import local_date
from training.certificates import CertificateSpec, issue_certificates
from training.hours import credit_hours
from training.models import (
    CertificateKind,
    Course,
    CourseCompletion,
    CourseExamPass,
    CourseFormat,
    Enrolment,
    HoursSource,
    TrainingSession,
)
from training.qualifications import Grant, grant_qualifications

FULL_ATTENDANCE = Decimal("0.8")  # the share of the session's time that completes the course


def attendance_share(enrolment: Enrolment) -> Decimal:
    """The share of the session's time the person was present (0–1)."""
    session = enrolment.session
    if enrolment.attended_at is None:
        return Decimal(0)
    start = max(enrolment.attended_at, session.starts_at)
    end = min(enrolment.checked_out_at or session.ends_at, session.ends_at)
    length = (session.ends_at - session.starts_at).total_seconds()
    present = max(0.0, (end - start).total_seconds())
    return min(Decimal(1), Decimal(str(present)) / Decimal(str(length)))


def hours_for(enrolment: Enrolment) -> Decimal:
    """The course's hours in proportion to the time present, rounded down to the half hour."""
    course_hours = Decimal(enrolment.session.course.hours)
    share = attendance_share(enrolment)
    if share >= 1:
        return course_hours
    return (course_hours * share * 2).to_integral_value(rounding="ROUND_FLOOR") / 2


def _has_pass(employee_id: int, course: Course) -> bool:
    return (
        db.session.scalar(
            select(CourseExamPass.id).where(
                CourseExamPass.employee_id == employee_id, CourseExamPass.course_id == course.id
            )
        )
        is not None
    )


def complete_if_due(
    enrolments: list[Enrolment], *, now: dt.datetime, certify: bool = True
) -> list[CourseCompletion]:
    """Complete every confirmed enrolment whose course needs no exam or whose exam is passed.
    ``certify=False`` leaves the certificates to a later ``certify_completions`` (one batch for many)."""
    done = []
    for enrolment in enrolments:
        course = enrolment.session.course
        if enrolment.completed_at is not None or enrolment.confirmed_at is None:
            continue
        if attendance_share(enrolment) < FULL_ATTENDANCE:
            continue
        if course.requires_exam and not _has_pass(enrolment.employee_id, course):
            continue
        enrolment.completed_at = now
        done.append(
            _complete(
                enrolment.employee, course, f"enrolment:{enrolment.id}", now, enrolment, hours_for(enrolment)
            )
        )
    if certify:
        certify_completions(done, now=now)
    return done


def _complete(employee, course, source_key, now, enrolment=None, hours=None) -> CourseCompletion:
    hours = Decimal(course.hours) if hours is None else hours
    completion = CourseCompletion(
        employee=employee,
        course=course,
        enrolment_id=enrolment.id if enrolment else None,
        source_key=source_key,
        completed_at=now,
        completed_on=local_date(now),
    )
    db.session.add(completion)
    db.session.flush()
    credit_hours(
        employee,
        hours,
        source=HoursSource.COURSE,
        source_key=f"completion:{completion.id}",
        earned_on=completion.completed_on,
        description=course.title,
    )
    signals.training_completed.send(
        enrolment or completion,
        employee=employee,
        course=course,
        hours=hours,
        source_key=f"completion:{completion.id}",
        now=now,
    )
    return completion


def completion_spec(completion: CourseCompletion) -> CertificateSpec:
    """The training completion certificate of a completion."""
    course = completion.course
    unit = (
        course.department.name if course.department else current_app.config.get("TRAINING_ISSUER", "培训中心")
    )
    return CertificateSpec(
        kind=CertificateKind.TRAINING_COMPLETION,
        employee=completion.employee,
        title=course.title,
        number=f"PX-{completion.completed_on:%Y}-{course.code}-{completion.id:06d}",
        issued_on=completion.completed_on,
        expires_on=None,
        issuer=unit,
        source_key=f"completion:{completion.id}",
        extra={"course": course.code, "hours": str(course.hours)},
    )


def certify_completions(done: list[CourseCompletion], *, now: dt.datetime) -> None:
    """The completion certificates and granted qualifications of ``done``, each kind in one batch."""
    grants = [
        Grant(c.employee, c.course.grants_certificate_type, f"completion:{c.id}", c.completed_on)
        for c in done
        if c.course.grants_certificate_type is not None
    ]
    if grants:
        grant_qualifications(grants, now=now)
    specs = [completion_spec(c) for c in done if c.course.issues_completion_certificate]
    if specs:
        issue_certificates(specs, now=now)


def record_course_exam_passed(employee: Employee, course: Course, *, source_key: str, now: dt.datetime):
    """The exams package reports a pass of ``course``'s linked exam (idempotent per ``source_key``);
    completes the attended sessions waiting for it (or an online course outright)."""
    if db.session.scalar(select(CourseExamPass.id).where(CourseExamPass.source_key == source_key)):
        return []
    db.session.add(
        CourseExamPass(employee_id=employee.id, course_id=course.id, source_key=source_key, passed_at=now)
    )
    db.session.flush()
    waiting = list(
        db.session.scalars(
            select(Enrolment)
            .join(Enrolment.session)
            .where(
                Enrolment.employee_id == employee.id,
                TrainingSession.course_id == course.id,
                Enrolment.confirmed_at.is_not(None),
                Enrolment.completed_at.is_(None),
            )
        )
    )
    if waiting:
        return complete_if_due(waiting, now=now)
    if course.form == CourseFormat.ONLINE:
        done = [_complete(employee, course, f"exam:{source_key}", now)]
        certify_completions(done, now=now)
        return done
    return []
