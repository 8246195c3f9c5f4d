"""Issue 25 §2: walk-ins once a session has started, and 「可报名的培训班」 listing only what can be joined."""

import datetime as dt

import pytest

from tests import factories
from tests.training import factories as tf
from training import course_sessions
from training.errors import TrainingError
from training.models import EnrolmentStatus

MIN = dt.timedelta(minutes=1)


def _started(walk_ins=True, capacity=5):
    trainer = factories.employee(name="林教员")
    s = tf.session(capacity=capacity)
    s.walk_ins, s.trainer = walk_ins, trainer
    return s


def test_enrolling_after_the_start_registers_a_walk_in_where_allowed(db):
    s = _started()
    enrolment = course_sessions.self_enrol(s, factories.employee(), now=tf.NOW + 5 * MIN)
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_enrolling_after_the_start_says_who_can_add_the_person(db):
    s = _started(walk_ins=False)
    with pytest.raises(TrainingError, match="林教员"):
        course_sessions.self_enrol(s, factories.employee(), now=tf.NOW + 5 * MIN)


def test_no_walk_in_when_the_seats_are_taken(db):
    s = _started(capacity=1)
    course_sessions.self_enrol(s, factories.employee(), now=tf.NOW - MIN)
    with pytest.raises(TrainingError, match="林教员"):
        course_sessions.self_enrol(s, factories.employee(), now=tf.NOW + 5 * MIN)


def test_scanning_without_enrolment_registers_on_the_spot_where_allowed(db):
    s = _started()
    emp = factories.employee()
    enrolment = course_sessions.check_in_by_qr(s, s.checkin_token, emp, now=tf.NOW + 5 * MIN)
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.attended_at is not None
    assert enrolment.late


def test_scanning_without_enrolment_says_who_can_add_the_person(db):
    s = _started(walk_ins=False)
    with pytest.raises(TrainingError, match="林教员"):
        course_sessions.check_in_by_qr(s, s.checkin_token, factories.employee(), now=tf.NOW + 5 * MIN)


def test_the_trainer_adds_a_walk_in_from_the_session_page(client, db, login):
    s = _started(walk_ins=False)
    walk_in = factories.employee(department=s.department)
    login("trainer", scope=s.department)
    response = client.post(f"/training/sessions/{s.id}/walk-in", data={"employee_no": walk_in.employee_no})
    assert response.status_code == 302
    enrolment = course_sessions.enrolment_of(s, walk_in)
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.attended_at is not None
    assert enrolment.checkin_method == "trainer"
    refused = client.post(
        f"/training/sessions/{s.id}/walk-in", data={"employee_no": "NOPE"}, follow_redirects=True
    )
    assert "NOPE" in refused.get_data(as_text=True)


def test_open_list_shows_only_what_can_be_joined(client, db, login):
    user = login("employee")
    emp = user.employee
    future = tf.session(start=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    future.title = "可报名班"
    joined = tf.session(start=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    joined.title = "已报名班"
    started = tf.session(start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30))
    started.title = "已开始班"
    course_sessions.self_enrol(joined, emp, now=dt.datetime.now(dt.UTC))
    html = client.get("/training/").get_data(as_text=True)
    open_part = html[html.index("data-open-sessions") :]
    assert "可报名班" in open_part and "已报名班" not in open_part and "已开始班" not in open_part
    mine_part = html[html.index("data-my-sessions") : html.index("data-open-sessions")]
    assert "已报名班" in mine_part
