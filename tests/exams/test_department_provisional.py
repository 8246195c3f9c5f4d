"""Results by department keep attempts awaiting grading apart: not failed, not in the mean (issue 24)."""

import datetime as dt
from decimal import Decimal

from exams.models import Attempt, AttemptStatus
from exams.results import department_summary
from tests import factories as base
from tests.exams import factories as f
from tests.exams.factories import NOW


def _attempt(db, exam, employee, status, score, passed):
    attempt = Attempt(
        exam_id=exam.id,
        employee_id=employee.id,
        number=1,
        status=status,
        seed=1,
        started_at=NOW,
        deadline=NOW + dt.timedelta(hours=1),
        submitted_at=NOW + dt.timedelta(minutes=30),
        graded_at=NOW + dt.timedelta(minutes=31) if status == AttemptStatus.GRADED else None,
        score=Decimal(score),
        max_score=Decimal(100),
        passed=passed,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def test_provisional_attempts_are_shown_apart(db, client, login):
    team = base.department("话务一班")
    exam = f.exam(audience_departments=[team])
    marked, waiting, failed = (base.employee(department=team) for _ in range(3))
    _attempt(db, exam, marked, AttemptStatus.GRADED, 80, True)
    _attempt(db, exam, failed, AttemptStatus.GRADED, 40, False)
    _attempt(db, exam, waiting, AttemptStatus.SUBMITTED, 10, None)
    admin = base.user(grants=[("admin", None)])
    (row,) = [r for r in department_summary(exam, admin) if r.department.id == team.id]
    assert (row.sat, row.provisional, row.passed) == (3, 1, 1)
    assert row.pass_rate == 50.0 and row.mean == Decimal("60.00")
    login("admin")
    page = client.get(f"/exams/manage/{exam.id}/departments").get_data(as_text=True)
    assert "Awaiting grading" in page and 'data-testid="provisional">1<' in page
