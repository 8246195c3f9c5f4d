"""Real commits across threads: one open attempt under concurrent starts, two submits grade once, and a
save racing a submit is either graded or refused (never confirmed and lost). PostgreSQL only: SQLite
serialises writers, so the races cannot happen there."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from exams import runtime
from exams.models import Attempt, AttemptStatus
from tests import factories as base
from tests.conftest import is_postgres
from tests.exams import factories as f

pytestmark = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
NOW = f.NOW


def _run_threads(app, n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        with app.test_request_context():
            try:
                barrier.wait()
                results[i] = fn(i)
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 — collected and asserted on below
                _db.session.rollback()
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def _setup():
    exam = f.exam(f.blueprint([f.question("single"), f.question("truefalse")]), max_attempts=3)
    employee = f.candidate(exam).employee
    _db.session.commit()
    return exam.id, employee.id


def test_concurrent_starts_make_one_open_attempt(app, committed_db):
    exam_id, employee_id = _setup()

    def start(_i):
        from accounts.models import Employee  # noqa: PLC0415
        from exams.models import Exam  # noqa: PLC0415

        return runtime.start_attempt(
            _db.session.get(Exam, exam_id), _db.session.get(Employee, employee_id), NOW
        ).id

    results, errors = _run_threads(app, 8, start)
    assert errors == []
    assert len(set(results)) == 1
    count = _db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.exam_id == exam_id))
    assert count == 1


def test_two_simultaneous_submits_grade_once(app, committed_db):
    exam_id, employee_id = _setup()
    with app.test_request_context():
        from accounts.models import Employee  # noqa: PLC0415
        from exams.models import Exam  # noqa: PLC0415

        attempt = runtime.start_attempt(
            _db.session.get(Exam, exam_id), _db.session.get(Employee, employee_id), NOW
        )
        runtime.save_answer(attempt.id, employee_id, 1, 1, {"choice": ["A"]}, NOW)
        _db.session.commit()
        attempt_id = attempt.id
    graded = []
    receiver = lambda sender, **kw: graded.append(sender.id)  # noqa: E731
    signals.attempt_graded.connect(receiver)
    try:
        results, errors = _run_threads(
            app,
            4,
            lambda _i: runtime.submit_attempt(
                _db.session.get(Attempt, attempt_id), NOW + dt.timedelta(minutes=1)
            ),
        )
    finally:
        signals.attempt_graded.disconnect(receiver)
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert graded == [attempt_id]
    _db.session.expire_all()
    attempt = _db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("2.00")


def test_saves_racing_a_submit_are_graded_or_refused(app, committed_db):
    exam_id, employee_id = _setup()
    with app.test_request_context():
        from accounts.models import Employee  # noqa: PLC0415
        from exams.models import Exam  # noqa: PLC0415

        attempt = runtime.start_attempt(
            _db.session.get(Exam, exam_id), _db.session.get(Employee, employee_id), NOW
        )
        _db.session.commit()
        attempt_id = attempt.id

    def act(i):
        if i == 0:
            return runtime.submit_attempt(_db.session.get(Attempt, attempt_id), NOW + dt.timedelta(minutes=1))
        try:
            return runtime.save_answer(attempt_id, employee_id, 1, i, {"choice": ["A"]}, NOW)
        except runtime.AttemptClosed:
            return "refused"

    results, errors = _run_threads(app, 6, act)
    assert errors == []
    confirmed = [r for r in results[1:] if r != "refused" and r.saved]
    _db.session.expire_all()
    attempt = _db.session.get(Attempt, attempt_id)
    item = runtime.load_items(attempt)[0]
    if confirmed:  # an answer the server confirmed is the one that was graded
        assert item.seq == max(r.seq for r in confirmed) and item.mark == Decimal("2.00")
    assert attempt.status == AttemptStatus.GRADED
    assert base  # factories imported for the fixtures' users
