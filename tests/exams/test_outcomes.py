"""A passed certification exam grants its qualification (with a PDF certificate); a passed linked exam
completes the course. A failed attempt grants nothing."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from exams import outcomes, runtime
from tests.exams import factories as f
from tests.training import factories as tf
from training.models import Certificate, CourseExamPass, QualificationRecord

NOW = f.NOW
MIN = dt.timedelta(minutes=1)


def _passed_attempt(db, exam, choice="A"):
    employee = f.candidate(exam).employee
    attempt = runtime.start_attempt(exam, employee, NOW)
    runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": [choice]}, NOW)
    runtime.submit_attempt(attempt, NOW + MIN)
    return attempt, employee


def test_certification_pass_grants_qualification_and_certificate(db):
    cert_type = tf.certificate_type(months=24, name="客户服务专员岗位资格")
    exam = f.exam(
        f.blueprint([f.question("single")]), pass_percent=Decimal(60), certificate_type_id=cert_type.id
    )
    attempt, employee = _passed_attempt(db, exam)
    assert attempt.passed
    record = db.session.scalar(
        select(QualificationRecord).where(QualificationRecord.employee_id == employee.id)
    )
    assert record is not None and record.certificate_type_id == cert_type.id
    certificate = db.session.scalar(select(Certificate).where(Certificate.employee_id == employee.id))
    assert certificate is not None and certificate.sha256
    # a second submit (or a replayed pass) grants nothing more
    runtime.submit_attempt(attempt, NOW + 2 * MIN)
    assert (
        len(
            db.session.scalars(
                select(QualificationRecord).where(QualificationRecord.employee_id == employee.id)
            ).all()
        )
        == 1
    )


def test_failed_attempt_grants_nothing(db):
    cert_type = tf.certificate_type()
    exam = f.exam(
        f.blueprint([f.question("single")]), pass_percent=Decimal(60), certificate_type_id=cert_type.id
    )
    attempt, employee = _passed_attempt(db, exam, choice="B")
    assert attempt.passed is False
    assert (
        db.session.scalar(select(QualificationRecord).where(QualificationRecord.employee_id == employee.id))
        is None
    )


def test_linked_course_records_the_pass(db):
    course = tf.course(requires_exam=False)
    exam = f.exam(f.blueprint([f.question("single")]), pass_percent=Decimal(60))
    outcomes.link_course(exam, course.id)
    assert course.requires_exam and course.linked_exam_id == exam.id
    attempt, employee = _passed_attempt(db, exam)
    passed = db.session.scalar(select(CourseExamPass).where(CourseExamPass.employee_id == employee.id))
    assert passed is not None and passed.course_id == course.id
    assert outcomes.linked_course(exam) == course


def test_regrade_that_turns_a_pass_into_a_fail_revokes_the_qualification(db):
    from exams import marking

    cert_type = tf.certificate_type()
    wrong_key = f.question("single")  # the key says A; the right answer was B
    exam = f.exam(f.blueprint([wrong_key]), pass_percent=Decimal(60), certificate_type_id=cert_type.id)
    attempt, employee = _passed_attempt(db, exam, choice="A")
    record = db.session.scalar(
        select(QualificationRecord).where(QualificationRecord.employee_id == employee.id)
    )
    assert attempt.passed and record.revoked_at is None
    f.new_version(wrong_key, key={"correct": ["B"]})
    trainer = f.candidate(exam)  # any user stands in for the trainer who confirms the regrade
    changes = marking.regrade_apply(exam, trainer, NOW + 10 * MIN)
    assert [(c.old_passed, c.new_passed) for c in changes] == [(True, False)]
    db.session.refresh(record)
    assert record.revoked_at is not None and "Regraded" in record.revoke_reason
    certificate = db.session.get(Certificate, record.certificate_id)
    assert certificate.revoked_at is not None
