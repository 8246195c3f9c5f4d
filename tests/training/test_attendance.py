"""Issue 25 §1: check-in in a window around the start; hours, certificates and points only after the
session ended and attendance was confirmed (check-out or the trainer's confirmation); partial hours."""

import datetime as dt
from decimal import Decimal

import pytest

from core import signals
from core.extensions import db as _db
from tests import factories
from tests.training import factories as tf
from training import course_sessions, hours
from training.errors import TrainingError
from training.models import Certificate

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def completed():
    seen = []

    def listen(_sender, **kw):
        seen.append(kw["hours"])

    signals.training_completed.connect(listen, weak=False)
    yield seen
    signals.training_completed.disconnect(listen)


def _enrolled(course=None, hours_long=3):
    s = tf.session(course or tf.course(hours="4", issues_completion_certificate=True), hours=hours_long)
    emp = factories.employee()
    course_sessions.self_enrol(s, emp, now=tf.NOW - dt.timedelta(days=1))
    return s, emp


def _certificates(emp):
    return _db.session.query(Certificate).filter_by(employee_id=emp.id).count()


def test_early_checkin_is_recorded_without_hours_certificate_or_points(db, completed):
    s, emp = _enrolled()
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW - 30 * MIN)
    assert enrolment.attended_at is not None and not enrolment.late
    assert enrolment.completed_at is None
    assert hours.hours_in_year(emp, 2026) == Decimal("0.0")
    assert completed == [] and _certificates(emp) == 0


def test_checkin_window_is_around_the_start_and_late_arrivals_are_flagged(db):
    s, emp = _enrolled()
    with pytest.raises(TrainingError):
        course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW - 31 * MIN)
    with pytest.raises(TrainingError):
        course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 16 * MIN)
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 10 * MIN)
    assert enrolment.late


def test_checkout_after_the_end_confirms_and_credits_the_full_hours(db, completed):
    s, emp = _enrolled()
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW - 5 * MIN)
    course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=s.ends_at + 2 * MIN)
    assert enrolment.checked_out_at is not None and enrolment.completed_at is not None
    assert hours.hours_in_year(emp, 2026) == Decimal("4.0")
    assert completed == [Decimal("4")] and _certificates(emp) == 1


def test_hours_wait_for_the_trainers_confirmation_after_the_end(db, completed):
    s, emp = _enrolled()
    enrolment = s.enrolments[0]
    course_sessions.record_attendance(s, {enrolment.id}, now=tf.NOW + 5 * MIN)
    assert enrolment.attended_at is not None and enrolment.completed_at is None
    assert hours.hours_in_year(emp, 2026) == Decimal("0.0")
    with pytest.raises(TrainingError):
        course_sessions.confirm_attendance(s, now=s.ends_at - MIN)
    course_sessions.confirm_attendance(s, now=s.ends_at + MIN)
    assert enrolment.completed_at is not None and hours.hours_in_year(emp, 2026) == Decimal("4.0")
    assert completed == [Decimal("4")]


def test_partial_attendance_gives_partial_hours_and_no_certificate(db, completed):
    s, emp = _enrolled()  # 3 h session, course worth 4 h
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 15 * MIN)
    course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 90 * MIN)
    assert enrolment.checked_out_at is not None
    assert hours.hours_in_year(emp, 2026) == Decimal("0.0")  # not before the end
    course_sessions.confirm_attendance(s, now=s.ends_at + MIN)
    # present 75 of 180 minutes: 4 h × 75/180 = 1.67, rounded down to the half hour
    assert hours.hours_in_year(emp, 2026) == Decimal("1.5")
    assert enrolment.completed_at is None and completed == [] and _certificates(emp) == 0


def test_late_arrival_still_completes_at_80_percent(db, completed):
    s, emp = _enrolled()
    course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 15 * MIN)
    course_sessions.confirm_attendance(s, now=s.ends_at + MIN)
    # 165 of 180 minutes: completed, hours in proportion (3.67 → 3.5)
    assert completed == [Decimal("3.5")] and hours.hours_in_year(emp, 2026) == Decimal("3.5")


def test_the_session_page_states_the_rule_and_the_late_arrival(client, db, login):
    s, emp = _enrolled()
    course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 10 * MIN)
    login("trainer", scope=s.department)
    html = client.get(f"/training/sessions/{s.id}").get_data(as_text=True)
    assert "达到 80% 及以上视为完成课程" in html and "开始前 30 分钟开放、开始后 15 分钟关闭" in html
    assert "迟到签到，学时在培训结束后计入" in html and "(扫码)" in html
