"""Redis unreachable: sign-in, exam start, save and submit still work, counted by per-process limits."""

import datetime as dt
import logging
from decimal import Decimal

import pytest
from limits.storage import storage_from_string

from core import config
from core.extensions import limiter
from core.models import utcnow
from exams.models import AudienceKind, ExamAudience
from tests import factories
from tests.exams import factories as f

# A port where nothing listens: connecting is refused at once, as when Redis has stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(app):
    """The production sign-in limits with their storage in a Redis that does not answer."""
    saved = {k: app.config[k] for k in ("LOGIN_RATE_LIMIT_IP", "LOGIN_RATE_LIMIT_ACCOUNT")}
    app.config.update(
        LOGIN_RATE_LIMIT_IP=config.LOGIN_RATE_LIMIT_IP,
        LOGIN_RATE_LIMIT_ACCOUNT=config.LOGIN_RATE_LIMIT_ACCOUNT,
    )
    saved_storage, saved_strategy = limiter._storage, limiter._limiter
    limiter._storage = storage_from_string(DEAD_REDIS)
    limiter._limiter = type(saved_strategy)(limiter._storage)
    try:
        yield limiter
    finally:
        limiter._storage_dead = False
        limiter._fallback_storage.reset()
        limiter._storage, limiter._limiter = saved_storage, saved_strategy
        app.config.update(saved)


def _exam_for(user):
    now = utcnow()
    exam = f.exam(
        f.blueprint([f.question("single"), f.question("truefalse")]),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=5),
        pass_percent=Decimal(50),
    )
    exam.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=user.employee_id))
    return exam


def test_sign_in_start_save_submit_with_redis_unreachable(app, client, db, redis_down, caplog):
    user = factories.user()
    exam = _exam_for(user)
    db.session.flush()
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        signed_in = client.post(
            "/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD}
        )
        assert signed_in.status_code == 302
        started = client.post(f"/api/exams/{exam.id}/start")
        assert started.status_code == 200
        attempt_id = started.get_json()["attempt_id"]
        saved = client.put(
            f"/api/exams/attempts/{attempt_id}/answers/1", json={"seq": 1, "response": {"choice": ["A"]}}
        )
        assert saved.status_code == 200 and saved.get_json()["saved"] is True
        done = client.post(f"/api/exams/attempts/{attempt_id}/submit")
        assert done.status_code == 200 and done.get_json()["status"] == "graded"
    fallbacks = [r for r in caplog.records if "falling back" in r.getMessage()]
    assert len(fallbacks) == 1  # logged once for the outage, not once per request


def test_limits_still_hold_per_process_while_redis_is_down(app, client, db, redis_down):
    user = factories.user()
    db.session.flush()
    codes = [
        client.post(
            "/login", data={"employee_no": user.employee.employee_no, "password": f"x{i}"}
        ).status_code
        for i in range(12)
    ]
    assert 429 in codes and 500 not in codes


def test_a_hall_of_100_sits_an_exam_while_redis_is_down(app, db, redis_down):
    """100 candidates behind one address sign in, start, save and submit with the limiter's Redis gone."""
    users = [factories.user() for _ in range(100)]
    exam = _exam_for(users[0])
    exam.audience.extend(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=u.employee_id) for u in users[1:])
    db.session.flush()
    outcomes = []
    for u in users:
        client = app.test_client()
        signed_in = client.post(
            "/login", data={"employee_no": u.employee.employee_no, "password": factories.PASSWORD}
        )
        attempt_id = client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"]
        saved = client.put(
            f"/api/exams/attempts/{attempt_id}/answers/1", json={"seq": 1, "response": {"choice": ["A"]}}
        )
        done = client.post(f"/api/exams/attempts/{attempt_id}/submit")
        outcomes.append((signed_in.status_code, saved.status_code, done.get_json()["status"]))
    assert outcomes == [(302, 200, "graded")] * 100
