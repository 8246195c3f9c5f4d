"""The runtime over HTTP: JSON API, the page's secrecy, 404s, CSRF, and the trainer pages (permissions,
results export, statistics SVG, blind grading, regrade preview and apply)."""

import datetime as dt
import json
import re
from decimal import Decimal

from sqlalchemy import select

from core.audit import AuditEntry
from core.models import utcnow
from exams import runtime, services
from exams.models import Attempt, AttemptStatus
from tests import factories as base
from tests.access import assert_access
from tests.exams import factories as f

SECRETS = ("EXPLAIN-SECRET", "秘密答案甲", "REF-SECRET", "RUBRIC-SECRET", "GENERAL-SECRET")


def _open_exam(questions, **fields):
    now = utcnow()
    return f.exam(
        f.blueprint(questions),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=5),
        **fields,
    )


def _secret_paper():
    single = f.question("single", explanation="EXPLAIN-SECRET")
    single.current_version.general_feedback = "GENERAL-SECRET"
    fill = f.question(
        "fill",
        key={"blanks": [["秘密答案甲"], ["秘密答案乙"]], "case_sensitive": False, "ignore_punctuation": True},
    )
    essay = f.question(
        "essay",
        key={"reference_html": "<p>REF-SECRET</p>", "rubric": [{"text": "RUBRIC-SECRET", "points": "5"}]},
    )
    matching = f.question("matching")
    numerical = f.question("numerical")
    multiple = f.question("multiple")
    return [single, fill, essay, matching, numerical, multiple]


def test_answer_key_never_reaches_the_browser_before_submission(client, login, db):
    exam = _open_exam(_secret_paper(), show_answers=True, show_explanations=True)
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    started = client.post(f"/api/exams/{exam.id}/start")
    assert started.status_code == 200
    data = started.get_json()
    attempt_id = data["attempt_id"]
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    resumed = client.get(f"/api/exams/attempts/{attempt_id}").get_data(as_text=True)
    for text in (started.get_data(as_text=True), page, resumed):
        for secret in SECRETS:
            assert secret not in text
        assert '"fraction"' not in text and '"correct"' not in text and "95.8" not in text
    assert [q["type"] for q in data["questions"]] == [
        "single",
        "fill",
        "essay",
        "matching",
        "numerical",
        "multiple",
    ]
    assert data["questions"][1]["blanks"] == 2
    assert sorted(data["questions"][3]["rights"]) == ["2小时", "4小时", "8分钟"]
    assert 'data-blank="1"' in page  # the fill stem became text boxes
    # After submission, the policy allows the review: the explanation appears on the result page.
    client.post(f"/api/exams/attempts/{attempt_id}/submit")
    result = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "EXPLAIN-SECRET" in result and "秘密答案甲" in result


def _aud(user):
    from exams.models import AudienceKind, ExamAudience

    return ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=user.employee_id)


def test_save_time_submit_over_json(client, login, db):
    exam = _open_exam([f.question("single"), f.question("truefalse")], pass_percent=Decimal(50))
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    attempt_id = client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"]
    url = f"/api/exams/attempts/{attempt_id}/answers/1"
    ok = client.put(url, json={"seq": 10, "response": {"choice": ["A"]}})
    assert ok.status_code == 200 and ok.get_json()["saved"] is True
    stale = client.put(url, json={"seq": 9, "response": {"choice": ["B"]}}).get_json()
    assert stale["saved"] is False and stale["seq"] == 10 and stale["response"] == {"choice": ["A"]}
    assert client.put(url, json={"seq": 11, "response": "A"}).status_code == 400
    assert client.put(url, data="not json").status_code == 400
    clock = client.get(f"/api/exams/attempts/{attempt_id}/time").get_json()
    assert clock["status"] == "open" and 3600 - 60 < clock["remaining_seconds"] <= 3600  # 60-minute exam
    # Starting again resumes the same attempt (another device).
    assert client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"] == attempt_id
    done = client.post(f"/api/exams/attempts/{attempt_id}/submit").get_json()
    assert done["status"] == "graded" and done["score"] == "2.00" and done["passed"] is True
    again = client.post(f"/api/exams/attempts/{attempt_id}/submit").get_json()
    assert again["score"] == "2.00"
    late = client.put(url, json={"seq": 12, "response": {"choice": ["B"]}})
    assert late.status_code == 409 and "submitted" in late.get_json()["error"]


def test_save_after_deadline_is_refused_and_auto_submits(client, login, db):
    exam = _open_exam([f.question("single")])
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    attempt_id = client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"]
    client.put(f"/api/exams/attempts/{attempt_id}/answers/1", json={"seq": 1, "response": {"choice": ["A"]}})
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline = utcnow() - dt.timedelta(seconds=1)
    db.session.flush()
    late = client.put(
        f"/api/exams/attempts/{attempt_id}/answers/1", json={"seq": 2, "response": {"choice": ["B"]}}
    )
    assert late.status_code == 409
    body = late.get_json()
    assert body["status"] == "graded" and body["auto_submitted"] is True and body["score"] == "2.00"


def test_another_candidates_attempt_is_404(client, login, db, app):
    exam = _open_exam([f.question("single")])
    owner = f.candidate(exam)
    attempt = runtime.start_attempt(exam, owner.employee, utcnow())
    login()
    for method, url in (
        ("GET", f"/exams/attempts/{attempt.id}"),
        ("GET", f"/exams/attempts/{attempt.id}/result"),
        ("GET", f"/api/exams/attempts/{attempt.id}"),
        ("GET", f"/api/exams/attempts/{attempt.id}/time"),
        ("POST", f"/api/exams/attempts/{attempt.id}/submit"),
    ):
        assert client.open(url, method=method).status_code == 404, url
    assert (
        client.put(
            f"/api/exams/attempts/{attempt.id}/answers/1", json={"seq": 1, "response": {"choice": ["A"]}}
        ).status_code
        == 404
    )


def test_outside_audience_is_404_and_outside_window_refused(client, login, db):
    exam = _open_exam([f.question("single")])
    user = login()
    assert client.get(f"/exams/{exam.id}").status_code == 404
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 404
    exam.audience.append(_aud(user))
    exam.opens_at = utcnow() + dt.timedelta(hours=1)
    db.session.flush()
    page = client.get(f"/exams/{exam.id}")
    assert page.status_code == 200 and "Start attempt" not in page.get_data(as_text=True)
    refused = client.post(f"/api/exams/{exam.id}/start")
    assert refused.status_code == 409 and "not opened" in refused.get_json()["error"]


def test_json_endpoints_need_the_csrf_header(client, login, db, app, request):
    exam = _open_exam([f.question("single")])
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 400  # no token
    landing = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', landing).group(1)
    started = client.post(f"/api/exams/{exam.id}/start", headers={"X-CSRFToken": token})
    assert started.status_code == 200
    attempt_id = started.get_json()["attempt_id"]
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    config = json.loads(
        re.search(r'<script type="application/json" id="exam-config">(.*?)</script>', page, re.S).group(1)
    )
    url = f"/api/exams/attempts/{attempt_id}/answers/1"
    assert client.put(url, json={"seq": 1, "response": {"choice": ["A"]}}).status_code == 400
    ok = client.put(
        url, json={"seq": 1, "response": {"choice": ["A"]}}, headers={"X-CSRFToken": config["csrf"]}
    )
    assert ok.status_code == 200


def test_my_exams_and_dashboard_card(client, login, db):
    exam = _open_exam([f.question("single")], title="持证上岗考试甲")
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    assert "持证上岗考试甲" in client.get("/exams/mine").get_data(as_text=True)
    assert "持证上岗考试甲" in client.get("/").get_data(as_text=True)


def test_permission_matrix(app, db):
    exam = _open_exam([f.question("single")])
    bp = exam.blueprint
    readers = ("trainer", "hr", "admin")
    managers = ("trainer", "admin")
    assert_access(app, "/exams/mine", ("employee", "trainer", "hr", "admin"))
    assert_access(app, "/exams/manage", readers)
    assert_access(app, f"/exams/manage/{exam.id}", readers)
    assert_access(app, f"/exams/manage/{exam.id}/results", readers)
    assert_access(app, f"/exams/manage/{exam.id}/statistics", readers)
    assert_access(app, f"/exams/manage/{exam.id}/departments", readers)
    assert_access(app, "/exams/manage/new", managers)
    assert_access(app, "/exams/manage/blueprints", managers)
    assert_access(app, f"/exams/manage/blueprints/{bp.id}", managers)
    assert_access(app, f"/exams/manage/{exam.id}/edit", managers)
    assert_access(app, f"/exams/manage/{exam.id}/grading", managers)
    assert_access(app, f"/exams/manage/{exam.id}/regrade", managers)


def test_scoped_trainer_gets_404_for_another_branchs_exam(client, login, db):
    mine, other = base.department("城东"), base.department("江北")
    exam = _open_exam([f.question("single")], owner_department_id=other.id)
    login("trainer", scope=mine)
    assert client.get(f"/exams/manage/{exam.id}").status_code == 404
    assert client.get(f"/exams/manage/{exam.id}/regrade").status_code == 404


def _graded_attempts(exam, answers, now):
    out = []
    for choice in answers:
        emp = f.candidate(exam).employee
        attempt = runtime.start_attempt(exam, emp, now)
        runtime.save_answer(attempt.id, emp.id, 1, 1, {"choice": [choice]}, now)
        runtime.save_answer(attempt.id, emp.id, 2, 1, {"answer": True}, now)
        runtime.submit_attempt(attempt, now)
        out.append(attempt)
    return out


def test_regrade_preview_then_apply(client, login, db):
    wrong_key = f.question("single")  # key says A; the right answer was B
    exam = _open_exam([wrong_key, f.question("truefalse")], pass_percent=Decimal(75), max_attempts=1)
    now = utcnow()
    a_pick, b_pick = _graded_attempts(exam, ["A", "B"], now)
    assert (a_pick.score, a_pick.passed, b_pick.score, b_pick.passed) == (
        Decimal("4.00"),
        True,
        Decimal("2.00"),
        False,
    )
    f.new_version(wrong_key, key={"correct": ["B"]})
    login("trainer")
    preview = client.get(f"/exams/manage/{exam.id}/regrade").get_data(as_text=True)
    assert (
        "4.00" in preview
        and "2.00" in preview
        and "Passed → Failed" in preview
        and "Failed → Passed" in preview
    )
    db.session.refresh(a_pick)
    assert a_pick.score == Decimal("4.00")  # the preview changed nothing
    response = client.post(f"/exams/manage/{exam.id}/regrade")
    assert response.status_code == 302
    db.session.refresh(a_pick)
    db.session.refresh(b_pick)
    assert (a_pick.score, a_pick.passed, b_pick.score, b_pick.passed) == (
        Decimal("2.00"),
        False,
        Decimal("4.00"),
        True,
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.regrade"))
    assert entry is not None and len(entry.details["changes"]) == 2
    assert runtime.load_items(a_pick)[0].version_id == wrong_key.current_version_id


def test_results_export_statistics_and_blind_grading(client, login, db):
    exam = _open_exam([f.question("single"), f.question("truefalse"), f.question("essay", points="10")])
    attempts = _graded_attempts(exam, ["A", "B", "A"], utcnow())
    assert all(a.status == AttemptStatus.GRADED for a in attempts)  # blank essays score 0
    essay_exam = _open_exam([f.question("essay", points="10")])
    writer = f.candidate(essay_exam, name="张三丰")
    attempt = runtime.start_attempt(essay_exam, writer.employee, utcnow())
    runtime.save_answer(attempt.id, writer.employee_id, 1, 1, {"text": "分级响应，及时报告"}, utcnow())
    runtime.submit_attempt(attempt, utcnow())
    login("trainer")
    table = client.get(f"/exams/manage/{exam.id}/results?outcome=failed").get_data(as_text=True)
    assert table.count("/ 14.00") == 3
    export = client.get(f"/exams/manage/{exam.id}/results?format=xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.results_export")) is not None
    stats = client.get(f"/exams/manage/{exam.id}/statistics").get_data(as_text=True)
    assert "<svg" in stats and 'id="histogram"' in stats
    version_id = runtime.load_items(attempt)[0].version_id
    queue = client.get(f"/exams/manage/{essay_exam.id}/grading/{version_id}").get_data(as_text=True)
    assert "分级响应，及时报告" in queue and "张三丰" not in queue
    item_id = runtime.load_items(attempt)[0].id
    bad = client.post(
        f"/exams/manage/{essay_exam.id}/grading/{version_id}", data={"item_id": item_id, "points": "12"}
    )
    assert bad.status_code == 422  # shown again with what was posted
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED
    client.post(
        f"/exams/manage/{essay_exam.id}/grading/{version_id}",
        data={"item_id": item_id, "points": "7.5", "comment": "较好"},
    )
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("7.50")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt_item.grade")) is not None


def test_session_endpoint_gives_api_clients_their_csrf_token(app, client, login, db, request):
    """A kiosk or load tester signs in, reads its token from /api/exams/session and drives the API."""
    assert client.get("/api/exams/session").status_code in (302, 401)
    exam = _open_exam([f.question("single")])
    user = login()
    exam.audience.append(_aud(user))
    db.session.flush()
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    raw = client.get("/api/exams/session")
    info = raw.get_json()
    # Chinese travels as UTF-8, not \uXXXX escapes (half the bytes on a phone).
    assert user.employee.name.encode() in raw.data
    assert info["employee_no"] == user.employee.employee_no and info["csrf_token"]
    assert client.post(f"/api/exams/{exam.id}/start").status_code == 400  # no token
    started = client.post(f"/api/exams/{exam.id}/start", headers={"X-CSRFToken": info["csrf_token"]})
    assert started.status_code == 200 and started.get_json()["status"] == "open"


def test_a_scoped_trainer_cannot_reach_people_outside_their_branch(client, login, db):
    """Departments and employee numbers outside the trainer's scope cannot be set as the audience, and
    an exam owned by a branch is for that branch only, even through a company-wide position."""
    east, north = base.department("城东"), base.department("江北")
    pos = base.position("营业厅柜员")
    inside = base.employee(department=east, position=pos)
    outside = base.employee(department=north, position=pos, employee_no="JB0009")
    exam = _open_exam([f.question("single")], owner_department_id=east.id)
    login("trainer", scope=east)
    url = f"/exams/manage/{exam.id}/audience"
    page = client.post(url, data={"departments": [north.id]}, follow_redirects=True)
    assert "could not be saved" in page.get_data(as_text=True)
    page = client.post(url, data={"employees": "JB0009"}, follow_redirects=True)
    assert "Unknown employee numbers: JB0009" in page.get_data(as_text=True)
    assert client.post(url, data={"positions": [pos.id]}).status_code == 302
    db.session.refresh(exam)
    assert [(a.kind, a.target_id) for a in exam.audience] == [("position", pos.id)]
    assert services.in_audience(exam, inside) and not services.in_audience(exam, outside)
    assert [e.id for e in services.audience_employees(exam)] == [inside.id]
    assert exam.id not in [e.id for e in services.candidate_exams(outside, utcnow())]
    assert exam.id in [e.id for e in services.candidate_exams(inside, utcnow())]


def test_my_exams_shows_the_latest_released_result_or_its_status_in_words(client, login, db):
    from exams.models import ResultsRelease

    shown = _open_exam([f.question("single")], title="结果公开考试", pass_percent=Decimal(50))
    held = _open_exam(
        [f.question("single")], title="结果暂缓考试", results_release=ResultsRelease.AFTER_CLOSE
    )
    user = login()
    for exam in (shown, held):
        exam.audience.append(_aud(user))
        db.session.flush()
        now = utcnow()
        attempt = runtime.start_attempt(exam, user.employee, now)
        runtime.save_answer(attempt.id, user.employee.id, 1, 1, {"choice": ["A"]}, now)
        runtime.submit_attempt(attempt, now)
    db.session.flush()
    page = client.get("/exams/mine").get_data(as_text=True)
    released = page.split("结果公开考试")[1].split("结果暂缓考试")[0]
    assert "Latest result: 2.00 / 2.00" in released and "Passed" in released
    withheld = page.split("结果暂缓考试")[1]
    assert "/ 2" not in withheld and "Latest attempt: Graded — result not released yet" in withheld
