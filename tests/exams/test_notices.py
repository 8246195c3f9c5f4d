"""Exam notices through core.notifications and the task queue, with e-mail delivered to a real SMTP server
(aiosmtpd) started by the test: published, 24 h and 1 h reminders to those who have not started, results
released, arrangement granted. Each is sent once, however often the job runs, and lands in the inbox."""

import datetime as dt
import threading

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import utcnow
from core.notifications import Notification
from exams import arrangements, jobs, notices, runtime
from tests import factories as base
from tests.exams import factories as f

HOUR = dt.timedelta(hours=1)


def _kinds(user_id=None) -> list[tuple[int, str]]:
    query = select(Notification.user_id, Notification.kind, Notification.once_key).order_by(Notification.id)
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return [tuple(r) for r in _db.session.execute(query)]


def _setup(now, **fields):
    exam = f.exam(
        f.blueprint([f.question("single")]),
        opens_at=now - HOUR,
        closes_at=now + 20 * HOUR,
        results_release="immediate",
        **fields,
    )
    people = [f.candidate(exam, email=f"cand{i}@example.com") for i in range(3)]
    _db.session.commit()
    return exam, people


def test_published_and_24h_reminder_go_out_once_by_the_queue_and_by_mail(app, committed_db, smtp_server):
    with app.test_request_context():
        exam, people = _setup(utcnow())
        exam_id = exam.id
        # Published a day ago (so the 24 h reminder is due now, not skipped as just told).
        notices.published(exam, utcnow() - dt.timedelta(hours=24))
        _db.session.commit()
    jobs.send_exam_notices()  # the task the periodic job queues (inline in the test queue), commits itself
    with app.app_context():
        kinds = _kinds()
        assert sorted(k for _u, k, _key in kinds) == ["exam.published"] * 3 + ["exam.reminder"] * 3
        assert {key for *_x, key in kinds} == {f"exam:{exam_id}", f"exam:{exam_id}:24h"}
    assert len(smtp_server) == 6
    assert {m["To"] for m in smtp_server} == {f"cand{i}@example.com" for i in range(3)}
    assert all("/exams/" in m.get_content() for m in smtp_server)
    # Run again (a retry, the next minute, a second worker): nothing new.
    jobs.send_exam_notices()
    with app.app_context():
        assert len(_kinds()) == 6
    assert len(smtp_server) == 6


def test_one_hour_reminder_only_to_those_who_have_not_started(app, committed_db, smtp_server):
    now = utcnow()
    with app.test_request_context():
        exam, people = _setup(now)
        started = runtime.start_attempt(exam, people[0].employee, now)
        late = people[1]
        arrangements.grant(
            exam,
            late.employee,
            opens_at=now + 48 * HOUR,
            closes_at=now + 50 * HOUR,
            reason="缓考",
            by=base.user(grants=[("trainer", None)]),
            now=now,
        )
        _db.session.commit()
        assert started.id
        later = exam.closes_at - dt.timedelta(minutes=30)
        counts = notices.send_due(later)
        _db.session.commit()
        assert counts["reminder_1h"] == 1  # not the one sitting, not the one with a window of their own
        assert [k for _u, k, key in _kinds(people[2].id) if key.endswith(":1h")] == ["exam.reminder"]
        assert notices.send_due(later)["reminder_1h"] == 0
        _db.session.commit()
    one_hour = [m for m in smtp_server if "closes soon" in m["Subject"] or "即将" in m["Subject"]]
    assert [m["To"] for m in one_hour].count("cand2@example.com") == 1


def test_results_released_once_per_attempt_and_visible_in_the_inbox(app, committed_db, smtp_server):
    now = utcnow()
    with app.test_request_context():
        exam, people = _setup(now)
        attempt = runtime.start_attempt(exam, people[0].employee, now)
        runtime.save_answer(attempt.id, people[0].employee_id, 1, 1, {"choice": ["A"]}, now)
        runtime.submit_attempt(attempt, now)
        _db.session.commit()
        assert notices.send_due(now)["results"] == 1
        _db.session.commit()
        assert notices.send_due(now)["results"] == 0
        _db.session.commit()
        result = [key for _u, k, key in _kinds(people[0].id) if k == "exam.result"]
        assert result == [f"attempt:{attempt.id}"]
        number = people[0].employee.employee_no
    client = app.test_client()
    client.post("/login", data={"employee_no": number, "password": base.PASSWORD})
    inbox = client.get("/notifications").get_data(as_text=True)
    assert exam.title in inbox
    assert sum(1 for m in smtp_server if m["To"] == "cand0@example.com" and exam.title in m["Subject"]) >= 1


def _three_workers_at_once(app) -> list:
    barrier, errors = threading.Barrier(3), []

    def worker():
        with app.test_request_context():
            try:
                barrier.wait()
                notices.send_due(utcnow())
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 — asserted by the callers
                _db.session.rollback()
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_several_workers_at_once_put_each_notice_in_the_inbox_once(app, committed_db):
    """In-app once under racing workers. (E-mail once under racing deliveries: tests/core/test_mail_delivery_once.py.)"""
    with app.test_request_context():
        _setup(utcnow())
    assert _three_workers_at_once(app) == []
    with app.app_context():
        assert _db.session.scalar(select(func.count(Notification.id))) == 3  # published, once each


def test_arrangement_granted_is_told_to_that_candidate_by_mail(app, committed_db, smtp_server, signed_in):
    now = utcnow()
    with app.test_request_context():
        exam, people = _setup(now)
        owner = base.user(grants=[("trainer", None)])
        _db.session.commit()
        exam_id, number = exam.id, people[1].employee.employee_no
    client = signed_in(owner)
    form = {"employee_no": number, "extra_minutes": "30", "extra_attempts": "0", "reason": "视力障碍"}
    assert client.post(f"/exams/manage/{exam_id}/arrangements", data=form).status_code == 302
    with app.app_context():
        kinds = [k for _u, k, _key in _kinds()]
        assert kinds == ["exam.arrangement"]
    assert [m["To"] for m in smtp_server] == ["cand1@example.com"]
    assert "30" in smtp_server[0].get_content()


def test_no_24h_reminder_right_after_the_published_notice(app, committed_db):
    with app.test_request_context():
        _setup(utcnow())  # closes in 20 h, published now
        counts = notices.send_due(utcnow())
        _db.session.commit()
        assert counts["published"] == 3 and counts["reminder_24h"] == 0
