"""What a pass leads to outside the exam: the qualification a certification exam grants (with its PDF
certificate) and the course whose completion waits for this exam (issue 5's link, wired here because
exams comes after training in the import direction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import User
from accounts.services import scope_clause
from core import signals
from core.auth import Role
from core.extensions import db
from core.timeutil import local_date
from exams.models import Attempt, Exam
from training.course_sessions import record_course_exam_passed
from training.models import CertificateType, Course, QualificationRecord, TypeOrigin
from training.qualifications import grant_qualification, revoke_qualification


def certificate_type_choices() -> list[tuple[int, str]]:
    """Internal certificate types an exam can grant."""
    types = db.session.scalars(
        select(CertificateType)
        .where(CertificateType.origin == TypeOrigin.INTERNAL, CertificateType.active)
        .order_by(CertificateType.code)
    )
    return [(t.id, t.name) for t in types]


def course_choices(user) -> list[tuple[int, str]]:
    """Courses the trainer may link (company-wide ones, and those of units in their scope)."""
    query = select(Course).order_by(Course.title)
    if not user.has_any_role(Role.ADMIN) and user.scope_roots(Role.TRAINER) is not None:
        query = query.where(
            Course.department_id.is_(None) | scope_clause(user, Role.TRAINER, Course.department_id)
        )
    return [(c.id, c.title) for c in db.session.scalars(query)]


def linked_course(exam: Exam) -> Course | None:
    """The course whose completion requires passing ``exam`` (if any)."""
    if exam.id is None:
        return None
    return db.session.scalar(select(Course).where(Course.linked_exam_id == exam.id).limit(1))


def link_course(exam: Exam, course_id: int | None) -> None:
    """Make ``course_id``'s completion require passing ``exam`` (and unlink any other course)."""
    db.session.flush()
    for course in db.session.scalars(select(Course).where(Course.linked_exam_id == exam.id)):
        if course.id != course_id:
            course.linked_exam_id = None
            course.requires_exam = False
    if course_id:
        course = db.session.get(Course, course_id)
        if course is not None:
            course.linked_exam_id = exam.id
            course.requires_exam = True


def credit_pass(attempt: Attempt, now: dt.datetime) -> None:
    """A newly passed attempt grants the exam's qualification and completes its linked course."""
    exam, employee = attempt.exam, attempt.employee
    source_key = f"exam-attempt:{attempt.id}"
    if exam.certificate_type_id:
        certificate_type = db.session.get(CertificateType, exam.certificate_type_id)
        withdrawn = [r for r in _records_of(attempt) if r.revoked_at is not None]
        # A pass restored by a later regrade gets a new record (the revoked one stays revoked).
        key = f"{source_key}:again-{len(withdrawn)}" if withdrawn else source_key
        if certificate_type is not None:
            grant_qualification(
                employee, certificate_type, source_key=key, issued_on=local_date(now), now=now
            )
    for course in db.session.scalars(select(Course).where(Course.linked_exam_id == exam.id)):
        record_course_exam_passed(employee, course, source_key=f"{source_key}:course:{course.id}", now=now)


def withdraw_pass(attempt: Attempt, reason: str, now: dt.datetime, *, by: User) -> QualificationRecord | None:
    """A regrade (applied by ``by``) turned ``attempt``'s pass into a fail: revoke the qualification (and its
    certificate) that the pass granted, so the verify page stops calling it valid, and tell the listeners
    (incentives reverses the points the pass paid). Returns the revoked record, if any."""
    signals.exam_pass_withdrawn.send(
        attempt,
        employee=attempt.employee,
        exam=attempt.exam,
        source_key=f"exam-attempt:{attempt.id}",
        reason=reason,
        by=by,
        now=now,
    )
    record = next((r for r in _records_of(attempt) if r.revoked_at is None), None)
    if record is None:
        return None
    revoke_qualification(record, reason, now=now)
    return record


def _records_of(attempt: Attempt) -> list[QualificationRecord]:
    """The qualification records the attempt's pass granted: the first, and one per restored pass."""
    key = f"exam-attempt:{attempt.id}"
    return list(
        db.session.scalars(
            select(QualificationRecord)
            .where(
                (QualificationRecord.source_key == key)
                | QualificationRecord.source_key.like(f"{key}:again-%")
            )
            .order_by(QualificationRecord.id)
        )
    )
