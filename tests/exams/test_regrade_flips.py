"""A regrade that flips pass/fail: the candidate is told, and what the pass brought (qualification, points)
follows the flip in both directions, also back and forth."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from core.notifications import Notification
from exams import marking, runtime
from incentives.models import PointEntry, Trigger
from tests.exams import factories as f
from tests.incentives import factories as inf
from tests.training import factories as tf
from training.models import QualificationRecord

NOW = f.NOW
MIN = dt.timedelta(minutes=1)


def _attempt(exam, choice):
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, NOW)
    runtime.save_answer(attempt.id, user.employee.id, 1, 1, {"choice": [choice]}, NOW)
    runtime.submit_attempt(attempt, NOW + MIN)
    return attempt, user


def _points(db, employee_id):
    return db.session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.employee_id == employee_id)
    )


def _valid_record(db, employee_id):
    return db.session.scalar(
        select(QualificationRecord).where(
            QualificationRecord.employee_id == employee_id, QualificationRecord.revoked_at.is_(None)
        )
    )


def _notes(db, user_id):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == "exam.regraded")
        )
    )


def test_flips_both_ways_are_told_and_move_qualification_and_points(db):
    inf.rule("EXPASS", trigger=Trigger.EXAM_PASSED, points=10)
    cert_type = tf.certificate_type()
    question = f.question("single")  # the key says A
    exam = f.exam(f.blueprint([question]), pass_percent=Decimal(60), certificate_type_id=cert_type.id)
    a_pick, a_user = _attempt(exam, "A")
    b_pick, b_user = _attempt(exam, "B")
    trainer = f.candidate(exam)
    assert a_pick.passed and not b_pick.passed
    a_points = _points(db, a_user.employee_id)
    assert a_points > 0 and _valid_record(db, a_user.employee_id) is not None
    assert _points(db, b_user.employee_id) == 0

    f.new_version(question, key={"correct": ["B"]})  # the right answer was B
    marking.regrade_apply(exam, trainer, NOW + 10 * MIN)
    assert not a_pick.passed and b_pick.passed
    assert _points(db, a_user.employee_id) == 0 and _valid_record(db, a_user.employee_id) is None
    assert _points(db, b_user.employee_id) > 0 and _valid_record(db, b_user.employee_id) is not None
    (told_a,) = _notes(db, a_user.id)
    (told_b,) = _notes(db, b_user.id)
    assert exam.title in told_a.title and "不再合格" in told_a.body
    assert "现已合格" in told_b.body

    f.new_version(question, key={"correct": ["A"]})  # the first key was right after all
    marking.regrade_apply(exam, trainer, NOW + 20 * MIN)
    assert a_pick.passed and not b_pick.passed
    assert _points(db, a_user.employee_id) == a_points and _valid_record(db, a_user.employee_id) is not None
    assert _points(db, b_user.employee_id) == 0 and _valid_record(db, b_user.employee_id) is None
    assert len(_notes(db, a_user.id)) == 2 and len(_notes(db, b_user.id)) == 2


def test_the_question_page_lists_the_exams_that_used_an_earlier_version(client, login, db):
    question = f.question("single")
    exam = f.exam(f.blueprint([question]), pass_percent=Decimal(60), title="换版考试")
    _attempt(exam, "A")
    login("trainer")
    page = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    assert "换版考试 · v1" in page and f"/exams/manage/{exam.id}/regrade" not in page  # v1 is current
    f.new_version(question, key={"correct": ["B"]})
    page = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    uses = page.split('data-testid="question-uses"')[1].split("</ul>")[0]
    assert "换版考试 · v1" in uses and f'href="/exams/manage/{exam.id}/regrade"' in uses
