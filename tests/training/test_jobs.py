"""Bulk certificate issue runs as a background job with progress (tests run the queue inline)."""

import datetime as dt

from sqlalchemy import func, select

from core.jobs import JobRun
from tests import factories
from tests.training import factories as tf
from training import course_sessions
from training.certificates import CertificateSpec
from training.jobs import start_certificates_job
from training.models import Certificate, CourseCompletion, SessionStatus


def test_delivering_a_session_issues_certificates_in_a_job(client, db, login):
    unit = factories.department()
    s = tf.session(tf.course(title="服务礼仪培训"), department=unit)
    people = [factories.employee(department=unit) for _ in range(3)]
    absent = factories.employee(department=unit)
    for p in [*people, absent]:
        course_sessions.self_enrol(s, p, now=tf.NOW - dt.timedelta(days=3))
    for p in people:
        course_sessions.enrolment_of(s, p).attended_at = tf.NOW
    db.session.flush()
    login("trainer", scope=unit)
    response = client.post(f"/training/sessions/{s.id}/deliver")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    db.session.expire_all()
    job = db.session.get(JobRun, job_id)
    assert job.status == "succeeded", job.message
    assert job.result == {"attended": 3, "completed": 3}
    assert s.status == SessionStatus.DELIVERED
    holders = set(
        db.session.scalars(select(Certificate.employee_id).where(Certificate.kind == "training_completion"))
    )
    assert holders == {p.id for p in people}
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["done"] == state["total"] == 3
    assert client.get(response.headers["Location"]).status_code == 200
    assert db.session.scalar(select(func.count(CourseCompletion.id))) == 3


def test_certificates_job_issues_every_spec_once(db):
    user = factories.user()
    people = [factories.employee() for _ in range(4)]
    specs = [
        CertificateSpec(
            "qualification",
            e,
            "客户服务专员岗位资格",
            f"KFZY-J{i}",
            dt.date(2026, 6, 1),
            dt.date(2029, 5, 31),
            "培训中心",
            f"exam:7:{e.id}",
        )
        for i, e in enumerate(people)
    ]
    job = start_certificates_job(specs + specs[:1], user=user, now=tf.NOW)
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(JobRun, job.id)
    assert job.status == "succeeded" and job.result == {"certificates": 5}
    numbers = sorted(
        db.session.scalars(select(Certificate.number).where(Certificate.source_key.like("exam:7:%")))
    )
    assert numbers == ["KFZY-J0", "KFZY-J1", "KFZY-J2", "KFZY-J3"]
