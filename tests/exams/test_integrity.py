"""Integrity signals: focus loss through the API (own attempt only, counted on the monitor and the review,
warn and collect thresholds), the access code, allowed address ranges through the proxy setting, and the
page settings the runtime receives. All off by default."""

import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from core.audit import AuditEntry
from core.models import utcnow
from exams import integrity, runtime, services
from exams.errors import CannotStart, ExamError
from exams.models import Attempt, AttemptStatus, FocusEvent
from tests import factories as base
from tests.exams import factories as f

HOUR = dt.timedelta(hours=1)


def _exam(**fields):
    now = utcnow()
    return f.exam(f.blueprint([f.question("single")]), opens_at=now - HOUR, closes_at=now + HOUR, **fields)


def test_focus_loss_is_logged_warned_and_collected_at_the_limits(signed_in, db):
    exam = _exam(log_focus=True, focus_warn_after=2, focus_collect_after=3)
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, utcnow())
    client = signed_in(user)
    url = f"/api/exams/attempts/{attempt.id}/focus"
    first = client.post(url, json={"kind": "hidden"}).get_json()
    assert first == {"count": 1, "warn": False, "collected": False, "logged": True}
    assert client.post(url, json={"kind": "blur"}).get_json()["warn"] is True
    third = client.post(url, json={"kind": "hidden"}).get_json()
    assert third["collected"] is True
    db.session.refresh(attempt)
    assert attempt.status != AttemptStatus.OPEN and attempt.collected and attempt.focus_events == 3
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.collect"))
    assert client.post(url, json={"kind": "nonsense"}).status_code == 400
    # The count reaches the monitor and the trainer's review of the attempt.
    owner = base.user(grants=[("trainer", None)])
    staff = signed_in(owner)
    row = staff.get(f"/api/exams/{exam.id}/monitor").get_json()["rows"][0]
    assert row["focus_events"] == 3
    review = staff.get(f"/exams/manage/{exam.id}/attempts/{attempt.id}").get_data(as_text=True)
    assert "Left the exam page 3 times" in review and "Page hidden" in review


def test_a_candidate_cannot_post_focus_events_for_someone_elses_attempt(signed_in, db):
    exam = _exam(log_focus=True)
    owner_of_attempt, other = f.candidate(exam), f.candidate(exam)
    attempt = runtime.start_attempt(exam, owner_of_attempt.employee, utcnow())
    response = signed_in(other).post(f"/api/exams/attempts/{attempt.id}/focus", json={"kind": "hidden"})
    assert response.status_code == 404
    assert db.session.scalars(select(FocusEvent)).all() == []


def test_focus_is_not_logged_when_the_exam_does_not_ask(signed_in, db):
    exam = _exam()
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, utcnow())
    answer = (
        signed_in(user).post(f"/api/exams/attempts/{attempt.id}/focus", json={"kind": "hidden"}).get_json()
    )
    assert answer["logged"] is False and db.session.get(Attempt, attempt.id).focus_events == 0


def test_access_code_is_checked_at_start(signed_in, db):
    exam = _exam(access_code="电网2026")
    user = f.candidate(exam)
    client = signed_in(user)
    refused = client.post(f"/api/exams/{exam.id}/start", json={"access_code": "wrong"})
    assert refused.status_code == 409 and "access code" in refused.get_json()["error"]
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 409
    assert client.post(f"/api/exams/{exam.id}/start", json={"access_code": " 电网2026 "}).status_code == 200
    page = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "access_code" not in page or "Resume" in page  # started: no code asked again


def test_access_code_field_on_the_start_form(signed_in, db):
    exam = _exam(access_code="abc")
    client = signed_in(f.candidate(exam))
    assert 'name="access_code"' in client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert client.post(f"/exams/{exam.id}/start", data={"access_code": "x"}).status_code == 302
    assert db.session.scalars(select(Attempt)).all() == []
    started = client.post(f"/exams/{exam.id}/start", data={"access_code": "ABC"})
    assert "/exams/attempts/" in started.headers["Location"]


def test_allowed_networks_use_the_client_address(signed_in, db):
    exam = _exam(allowed_networks="10.20.0.0/16\n192.168.5.0/24")
    user = f.candidate(exam)
    refused = signed_in(user, "172.16.0.9").post(f"/api/exams/{exam.id}/start")
    assert refused.status_code == 409 and "network" in refused.get_json()["error"]
    assert signed_in(user, "10.20.3.4").post(f"/api/exams/{exam.id}/start").status_code == 200


def test_allowed_networks_through_the_configured_proxy(app, signed_in, db, monkeypatch):
    """Behind one proxy (PROXY_FIX_HOPS=1) the address is the one the proxy saw; without the setting the
    proxy's own address counts, and a forged X-Forwarded-For is ignored."""
    exam = _exam(allowed_networks="10.20.0.0/16")
    user = f.candidate(exam)
    # The proxy (127.0.0.1) forwards a candidate at 10.20.3.4.
    client = signed_in(user, "127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.3.4")
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 409
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 200


def test_networks_setting_is_validated_and_gate_unit_rules():
    with pytest.raises(ExamError):
        integrity.parse_networks("10.0.0.0/33")
    exam = type("E", (), {"allowed_networks": "2001:db8::/32, 10.0.0.0/8", "access_code": ""})()
    assert integrity.address_allowed(exam, "10.9.9.9") and integrity.address_allowed(exam, "2001:db8::1")
    assert not integrity.address_allowed(exam, "11.0.0.1") and not integrity.address_allowed(exam, None)
    with pytest.raises(CannotStart):
        integrity.check_gate(exam, integrity.Gate(address="11.0.0.1"))
    assert integrity.Gate(user_agent="Mozilla/5.0 (Linux; Android 13) Mobile").device == "phone"
    assert integrity.Gate(user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64)").device == "desktop"


def test_the_page_gets_the_settings_and_nothing_is_on_by_default(signed_in, db):
    plain = _exam()
    assert not (plain.log_focus or plain.ask_fullscreen or plain.block_copy or plain.access_code)
    assert plain.allowed_networks == ""
    strict = _exam(log_focus=True, ask_fullscreen=True, block_copy=True)
    user = f.candidate(strict)
    attempt = runtime.start_attempt(strict, user.employee, utcnow())
    page = signed_in(user).get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    assert '"blockCopy": true' in page and '"askFullscreen": true' in page and '"logFocus": true' in page
    assert 'id="fullscreen-btn"' in page
    services.check_exam_settings(strict)
    strict.allowed_networks = "10.0.0.0/8\nnot-a-range"
    with pytest.raises(ExamError):
        services.check_exam_settings(strict)
