"""Per-candidate arrangements: the server's deadline and window rules use them, extra time granted during
a sitting moves the deadline, every grant is audited with its reason."""

import datetime as dt

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.models import utcnow
from core.notifications import Notification
from exams import arrangements, runtime
from exams.errors import CannotStart, ExamError
from tests import factories as base
from tests.exams import factories as f

NOW = f.NOW
MIN = dt.timedelta(minutes=1)


def _setup(**fields):
    exam = f.exam(f.blueprint([f.question("single"), f.question("truefalse")]), **fields)
    user = f.candidate(exam)
    trainer = base.user(grants=[("trainer", None)])
    return exam, user.employee, trainer


def test_extra_time_lengthens_the_sitting_and_may_pass_the_close_by_the_same_minutes(db):
    exam, employee, trainer = _setup(closes_at=NOW + 30 * MIN, duration_minutes=60)
    arrangements.grant(exam, employee, extra_minutes=15, reason="读写障碍", by=trainer, now=NOW)
    attempt = runtime.start_attempt(exam, employee, NOW)
    assert attempt.deadline == NOW + 45 * MIN  # window close + 15, not start + 75
    other = f.candidate(exam).employee
    assert runtime.start_attempt(exam, other, NOW).deadline == NOW + 30 * MIN
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.arrangement"))
    assert entry.details["reason"] == "读写障碍" and entry.details["extra_minutes"] == 15


def test_extra_time_during_the_sitting_moves_the_running_deadline(db):
    exam, employee, trainer = _setup(duration_minutes=60)
    attempt = runtime.start_attempt(exam, employee, NOW)
    assert attempt.deadline == NOW + 60 * MIN
    arrangements.add_extra_time(exam, employee, 10, reason="停电十分钟", by=trainer, now=NOW + 5 * MIN)
    arrangements.add_extra_time(exam, employee, 5, reason="再加五分钟", by=trainer, now=NOW + 6 * MIN)
    db.session.refresh(attempt)
    assert attempt.deadline == NOW + 75 * MIN
    assert arrangements.terms(exam, employee.id).extra_minutes == 15
    # The timer reads the server's deadline.
    assert runtime.clock(attempt, NOW)["remaining_seconds"] == 75 * 60


def test_own_window_lets_a_candidate_sit_later_and_only_then(db):
    exam, employee, trainer = _setup(closes_at=NOW + dt.timedelta(hours=1))
    later = NOW + dt.timedelta(days=3)
    arrangements.grant(
        exam,
        employee,
        opens_at=later,
        closes_at=later + dt.timedelta(hours=2),
        reason="病假缓考",
        by=trainer,
        now=NOW,
    )
    with pytest.raises(CannotStart):
        runtime.start_attempt(exam, employee, NOW)  # the exam's window no longer applies to them
    attempt = runtime.start_attempt(exam, employee, later + 10 * MIN)
    assert attempt.deadline == later + 70 * MIN


def test_extra_attempt_allows_one_more_start(db):
    exam, employee, trainer = _setup(max_attempts=1)
    first = runtime.start_attempt(exam, employee, NOW)
    runtime.submit_attempt(first, NOW + MIN)
    with pytest.raises(CannotStart):
        runtime.start_attempt(exam, employee, NOW + 2 * MIN)
    arrangements.grant(exam, employee, extra_attempts=1, reason="系统故障", by=trainer, now=NOW + 2 * MIN)
    assert runtime.start_attempt(exam, employee, NOW + 3 * MIN).number == 2


def test_an_arrangement_needs_a_reason_and_sane_values(db):
    exam, employee, trainer = _setup()
    with pytest.raises(ExamError):
        arrangements.grant(exam, employee, extra_minutes=10, reason="  ", by=trainer, now=NOW)
    with pytest.raises(ExamError):
        arrangements.grant(exam, employee, extra_minutes=-5, reason="x", by=trainer, now=NOW)
    with pytest.raises(ExamError):
        arrangements.grant(exam, employee, opens_at=NOW, closes_at=None, reason="x", by=trainer, now=NOW)


def test_removing_an_arrangement_takes_the_extra_minutes_back(db):
    exam, employee, trainer = _setup()
    arrangement = arrangements.grant(exam, employee, extra_minutes=20, reason="x", by=trainer, now=NOW)
    attempt = runtime.start_attempt(exam, employee, NOW)
    assert attempt.deadline == NOW + 80 * MIN
    arrangements.remove(arrangement, reason="给错了人", by=trainer, now=NOW + MIN)
    db.session.refresh(attempt)
    assert attempt.deadline == NOW + 60 * MIN
    assert arrangements.arrangement_for(exam.id, employee.id) is None


def test_owner_grants_an_arrangement_on_the_page_and_the_candidate_sees_it_and_is_told(signed_in, db):
    now = utcnow()
    exam = f.exam(opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=1))
    candidate = f.candidate(exam)
    owner = base.user(grants=[("trainer", None)])
    client = signed_in(owner)
    form = {
        "employee_no": candidate.employee.employee_no,
        "extra_minutes": "25",
        "extra_attempts": "1",
        "reason": "残障照顾",
    }
    assert client.post(f"/exams/manage/{exam.id}/arrangements", data=form).status_code == 302
    page = client.get(f"/exams/manage/{exam.id}/arrangements").get_data(as_text=True)
    assert "残障照顾" in page
    shown = signed_in(candidate).get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "+25 min extra time" in shown and "of 2" in shown
    notes = db.session.scalars(select(Notification).where(Notification.user_id == candidate.id)).all()
    assert [n.kind for n in notes] == ["exam.arrangement"] and "25" in notes[0].body
    # Not a candidate of the exam: refused beside the field, nothing saved.
    stranger = base.user()
    form["employee_no"] = stranger.employee.employee_no
    assert client.post(f"/exams/manage/{exam.id}/arrangements", data=form).status_code == 400
    assert arrangements.arrangement_for(exam.id, stranger.employee_id) is None
    # Another branch's trainer cannot open the page.
    outsider = base.user(grants=[("trainer", base.department(name="外单位"))])
    assert signed_in(outsider).get(f"/exams/manage/{exam.id}/arrangements").status_code == 404
