"""Training rules without HTTP: expiry boundaries, matrix flags, hours and coverage, enrolment, QR check-in."""

import datetime as dt
from decimal import Decimal

import pytest
from flask import has_request_context

from core import signals
from tests import factories
from tests.training import factories as tf
from training import course_sessions, hours, services
from training import qualifications as quals
from training.errors import TrainingError
from training.expiry import ExpiryStatus, expiry_status, expiry_window
from training.models import EnrolmentStatus, HoursEntry, TypeOrigin

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("days", "status", "window"),
    [
        (91, ExpiryStatus.VALID, None),
        (90, ExpiryStatus.EXPIRING, 90),
        (31, ExpiryStatus.EXPIRING, 90),
        (30, ExpiryStatus.EXPIRING, 30),
        (0, ExpiryStatus.EXPIRING, 30),
        (-1, ExpiryStatus.EXPIRED, 0),
    ],
)
def test_expiry_status_boundaries(days, status, window):
    expires = TODAY + dt.timedelta(days=days)
    assert expiry_status(expires, TODAY) == status
    assert expiry_window(expires, TODAY) == window


def test_revoked_and_no_expiry():
    assert expiry_status(TODAY, TODAY, revoked=True) == ExpiryStatus.REVOKED
    assert expiry_status(None, TODAY) == ExpiryStatus.VALID


def test_matrix_flags(db):
    pos = factories.position()
    ctype = tf.certificate_type(months=12, positions=[pos])
    other = tf.certificate_type(months=12, origin=TypeOrigin.EXTERNAL, positions=[pos])
    dept = factories.department()
    missing = factories.employee(department=dept, position=pos)
    expiring = factories.employee(department=dept, position=pos)
    expired = factories.employee(department=dept, position=pos)
    now = tf.NOW
    quals.grant_qualification(
        expiring, ctype, source_key="a", issued_on=TODAY - dt.timedelta(days=300), now=now
    )
    quals.record_external_qualification(
        expired,
        other,
        number="X1",
        issued_on=TODAY - dt.timedelta(days=800),
        expires_on=TODAY - dt.timedelta(days=1),
        now=now,
    )
    rows = {r.employee_id: r for r in quals.matrix_rows(db.true(), TODAY, department=dept)}
    assert rows[missing.id].flags == {ctype.id: "missing", other.id: "missing"}
    assert rows[expiring.id].flags[ctype.id] == "expiring"
    assert rows[expired.id].flags[other.id] == "expired"
    summary = quals.matrix_summary(list(rows.values()))
    assert summary == {"employees": 3, "lacking": 3, "expiring": 1}


def test_grant_is_idempotent_renews_and_signals(db):
    emp = factories.employee()
    ctype = tf.certificate_type(months=24)
    received = []

    def listen(_sender, **kw):
        received.append(kw["source_key"])

    signals.qualification_granted.connect(listen, weak=False)
    try:
        first = quals.grant_qualification(emp, ctype, source_key="exam:1", issued_on=TODAY, now=tf.NOW)
        again = quals.grant_qualification(emp, ctype, source_key="exam:1", issued_on=TODAY, now=tf.NOW)
        renewed = quals.grant_qualification(
            emp, ctype, source_key="exam:2", issued_on=TODAY + dt.timedelta(days=700), now=tf.NOW
        )
    finally:
        signals.qualification_granted.disconnect(listen)  # only this test's: other packages listen too
    assert first.id == again.id
    assert received == ["exam:1", "exam:2"]
    assert first.expires_on == dt.date(2028, 5, 31)
    assert first.superseded_at is not None and renewed.superseded_at is None
    assert first.certificate.superseded_by_id == renewed.certificate.id
    assert renewed.certificate.version == 2
    assert [r.id for r in quals.history(emp)] == [renewed.id, first.id]


def test_reminders_notify_once_per_window(db):
    user = factories.user()
    ctype = tf.certificate_type(months=12)
    quals.grant_qualification(user.employee, ctype, source_key="k", issued_on=dt.date(2025, 8, 1), now=tf.NOW)
    due = quals.run_reminders(TODAY, now=tf.NOW)  # expires 2026-07-31: 60 days left
    mine = [d for d in due if d.record.employee_id == user.employee_id]
    assert [(d.window, d.notified) for d in mine] == [(90, True)]
    again = [d for d in quals.run_reminders(TODAY, now=tf.NOW) if d.record.employee_id == user.employee_id]
    assert [(d.window, d.notified) for d in again] == [(90, False)]
    later = [
        d
        for d in quals.run_reminders(dt.date(2026, 7, 10), now=tf.NOW)
        if d.record.employee_id == user.employee_id
    ]
    assert [(d.window, d.notified) for d in later] == [(30, True)]


def test_hours_from_attendance_exam_and_drills(db):
    pos = factories.position(hours=10)
    emp = factories.employee(position=pos)
    course = tf.course(hours="4", requires_exam=True)
    s = tf.session(course)
    enrolment = course_sessions.self_enrol(s, emp, now=tf.NOW - dt.timedelta(days=1))
    course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW)
    course_sessions.confirm_attendance(s, now=s.ends_at)
    assert enrolment.completed_at is None  # the linked exam is not passed yet
    assert hours.hours_in_year(emp, 2026) == Decimal("0.0")
    completed = []

    def listen(_sender, **kw):
        completed.append(kw["hours"])

    signals.training_completed.connect(listen, weak=False)
    try:
        services.record_course_exam_passed(emp, course, source_key="attempt:9", now=tf.NOW)
        services.record_course_exam_passed(emp, course, source_key="attempt:9", now=tf.NOW)
    finally:
        signals.training_completed.disconnect(listen)
    assert completed == [Decimal("4.0")]
    for _ in range(2):
        signals.drill_participated.send(
            object(),
            employee=emp,
            drill="停电演练",
            role="队员",
            hours=Decimal("2.5"),
            source_key="drill-participant:3",
            now=tf.NOW,
        )
    summary = hours.hours_summary(emp, 2026)
    assert summary["earned"] == Decimal("6.5")
    assert summary["share"] == Decimal("65.0")
    assert db.session.query(HoursEntry).filter_by(employee_id=emp.id).count() == 2


def test_waiting_list_promotion(db):
    s = tf.session(capacity=1)
    a, b = factories.employee(), factories.employee()
    first = course_sessions.self_enrol(s, a, now=tf.NOW - dt.timedelta(days=2))
    second = course_sessions.self_enrol(s, b, now=tf.NOW - dt.timedelta(days=2))
    assert (first.status, second.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    promoted = course_sessions.withdraw(first, now=tf.NOW - dt.timedelta(days=1))
    assert promoted is second and second.status == EnrolmentStatus.ENROLLED


def test_qr_checkin_refuses_wrong_token_unenrolled_and_outside_window(db):
    """Also: service errors are phrased in the default language (zh_CN) without a request (CLI, jobs)."""
    assert not has_request_context()
    s = tf.session()
    emp, stranger = factories.employee(), factories.employee()
    course_sessions.self_enrol(s, emp, now=tf.NOW - dt.timedelta(days=1))
    with pytest.raises(TrainingError, match="签到码无效"):
        course_sessions.check_in_by_qr(s, "wrong", emp, now=tf.NOW)
    with pytest.raises(TrainingError, match="未报名"):
        course_sessions.check_in_by_qr(s, s.checkin_token, stranger, now=tf.NOW)
    with pytest.raises(TrainingError, match="签到将于"):
        course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW - dt.timedelta(hours=2))
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + dt.timedelta(minutes=5))
    assert enrolment.attended_at is not None and enrolment.completed_at is None  # not before the end


def test_plan_coverage_and_knowledge_points_in_sql(db):
    unit = factories.department()
    team = factories.department(parent=unit)
    pos, other_pos = factories.position(), factories.position()
    staff = [factories.employee(department=team, position=pos) for _ in range(3)]
    factories.employee(department=team, position=other_pos)  # not targeted
    course = tf.course(positions=[pos])
    plan = services.create_plan(unit, 2026, "year", "2026年度培训计划")
    item = services.add_plan_item(
        plan, course=course, planned_month=6, planned_hours=Decimal(4), headcount=3, positions=[pos]
    )
    s = tf.session(course, department=unit)
    s.plan_item = item
    for emp in staff[:2]:
        course_sessions.self_enrol(s, emp, now=tf.NOW - dt.timedelta(days=1))
        course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW)
    course_sessions.confirm_attendance(s, now=s.ends_at)
    coverage = services.plan_coverage(plan)[item.id]
    assert coverage == {"target": 3, "completed": 2, "share": Decimal("66.7")}
    course_sessions.mark_delivered(s, now=s.ends_at)
    progress = services.item_progress(plan, TODAY)
    assert progress[0]["state"] == "on_time"
    clone = services.clone_plan(plan, 2027)
    assert [i.course_id for i in clone.items] == [course.id] and clone.cloned_from_id == plan.id


def test_service_errors_without_a_request_use_the_default_language(app, db):
    """CLI commands and background jobs have an app context but no request: messages are still zh_CN."""
    assert not has_request_context()
    unit = factories.department()
    services.create_plan(unit, 2026, "year", "2026年度培训计划")
    with pytest.raises(TrainingError) as duplicate:
        services.create_plan(unit, 2026, "year", "重复的计划")
    assert str(duplicate.value) == "该单位在此期间已有培训计划。"
    with pytest.raises(TrainingError) as bad_time:
        course_sessions.create_session(
            tf.course(), department=unit, title="", starts_at=tf.NOW, ends_at=tf.NOW - dt.timedelta(hours=1)
        )
    assert "结束" in str(bad_time.value)
