"""The live monitor over HTTP: what it shows, its filters, the actions (collect, reopen, extra time,
messages) with their audit, and who may see and touch what (an invigilator of one exam: nothing of another)."""

import datetime as dt

import pytest
from sqlalchemy import event, select

from core.audit import AuditEntry
from core.extensions import db as _db
from core.models import utcnow
from exams import arrangements, runtime, services
from exams.models import Attempt, AttemptStatus
from tests import factories as base
from tests.exams import factories as f

MIN = dt.timedelta(minutes=1)


def _exam(**fields):
    now = utcnow()
    return f.exam(
        f.blueprint([f.question("single"), f.question("truefalse"), f.question("single")]),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
        **fields,
    )


@pytest.fixture
def room(app, db):
    """An exam with three candidates in two departments: one sitting, one handed in, one not started;
    a named invigilator (a plain employee); a second exam with its own invigilator."""
    north, south = base.department(name="北区班组"), base.department(name="南区班组")
    exam = _exam()
    sitting, done, idle = (f.candidate(exam, department=d) for d in (north, north, south))
    now = utcnow()
    a1 = runtime.start_attempt(exam, sitting.employee, now - 5 * MIN)
    runtime.save_answer(a1.id, sitting.employee_id, 1, 1, {"choice": ["A"]}, now - 4 * MIN)
    a2 = runtime.start_attempt(exam, done.employee, now - 10 * MIN)
    runtime.submit_attempt(a2, now - 2 * MIN)
    invigilator = base.user()
    owner = base.user(grants=[("trainer", None)])
    services.set_invigilators(exam, [invigilator], owner)
    other = _exam()
    other_candidate = f.candidate(other)
    other_attempt = runtime.start_attempt(other, other_candidate.employee, now - MIN)
    services.set_invigilators(other, [base.user()], owner)
    db.session.flush()
    return {
        "exam": exam,
        "sitting": sitting,
        "done": done,
        "idle": idle,
        "a1": a1,
        "a2": a2,
        "north": north,
        "invigilator": invigilator,
        "other": other,
        "other_attempt": other_attempt,
        "other_candidate": other_candidate,
    }


def test_monitor_json_shows_every_candidate_with_state_progress_and_counts(signed_in, room):
    client = signed_in(room["invigilator"])
    data = client.get(f"/api/exams/{room['exam'].id}/monitor").get_json()
    assert data["total"] == 3
    assert data["counts"] == {
        "not_started": 1,
        "in_progress": 1,
        "submitted": 1,
        "auto_submitted": 0,
        "absent": 0,
    }
    rows = {r["employee_id"]: r for r in data["rows"]}
    sitting = rows[room["sitting"].employee_id]
    assert sitting["state"] == "in_progress" and sitting["answered"] == 1 and sitting["questions"] == 3
    assert 0 < sitting["seconds_left"] <= 60 * 60 and sitting["last_save"]
    assert rows[room["idle"].employee_id]["state"] == "not_started"
    by_dept = client.get(f"/api/exams/{room['exam'].id}/monitor?department={room['north'].id}").get_json()
    assert by_dept["total"] == 2 and by_dept["counts"]["not_started"] == 0
    by_state = client.get(f"/api/exams/{room['exam'].id}/monitor?state=submitted").get_json()
    assert [r["employee_id"] for r in by_state["rows"]] == [room["done"].employee_id]
    page = client.get(f"/exams/manage/{room['exam'].id}/monitor")
    assert page.status_code == 200 and b"monitor.js" in page.data


def test_absent_after_the_window_closes(signed_in, room, db):
    room["exam"].closes_at = utcnow() - MIN
    db.session.flush()
    data = signed_in(room["invigilator"]).get(f"/api/exams/{room['exam'].id}/monitor").get_json()
    assert data["counts"]["absent"] == 1 and data["counts"]["not_started"] == 0


def test_invigilator_of_one_exam_sees_and_touches_nothing_of_another(signed_in, room):
    client = signed_in(room["invigilator"])
    other, attempt = room["other"], room["other_attempt"]
    base_url = f"/exams/manage/{other.id}"
    assert client.get(f"{base_url}/monitor").status_code == 404
    assert client.get(f"/api/exams/{other.id}/monitor").status_code == 404
    assert client.get(f"{base_url}/absentees").status_code == 404
    for path, body in (
        ("collect", {"attempt_id": attempt.id, "reason": "x"}),
        ("collect", {"all": True, "reason": "x"}),
        ("reopen", {"attempt_id": attempt.id, "minutes": 5, "reason": "x"}),
        ("extra-time", {"employee_id": room["other_candidate"].employee_id, "minutes": 5, "reason": "x"}),
        ("message", {"all": True, "body": "x"}),
    ):
        assert client.post(f"/api/exams/{other.id}/monitor/{path}", json=body).status_code == 404, path
    # Naming an attempt of the other exam through this exam's URL is refused too.
    mine = f"/api/exams/{room['exam'].id}/monitor"
    assert client.post(f"{mine}/collect", json={"attempt_id": attempt.id, "reason": "x"}).status_code == 404
    extra = {"employee_id": room["other_candidate"].employee_id, "minutes": 5, "reason": "x"}
    assert client.post(f"{mine}/extra-time", json=extra).status_code == 404
    assert client.get(f"/exams/manage/{other.id}/arrangements").status_code in (403, 404)
    assert attempt.status == AttemptStatus.OPEN


def test_collect_reopen_and_extra_time_are_refused_to_others(signed_in, room, db):
    exam, a1 = room["exam"], room["a1"]
    outsiders = [
        room["idle"],  # a candidate of the same exam
        base.user(grants=[("trainer", base.department(name="别的公司"))]),  # a trainer of another branch
        base.user(grants=[("hr", None)]),
    ]
    for user in outsiders:
        client = signed_in(user)
        url = f"/api/exams/{exam.id}/monitor"
        assert client.post(f"{url}/collect", json={"attempt_id": a1.id, "reason": "x"}).status_code in (
            403,
            404,
        )
        assert client.post(
            f"{url}/reopen", json={"attempt_id": room["a2"].id, "minutes": 5, "reason": "x"}
        ).status_code in (403, 404)
        body = {"employee_id": room["sitting"].employee_id, "minutes": 5, "reason": "x"}
        assert client.post(f"{url}/extra-time", json=body).status_code in (403, 404)
        assert client.get(url).status_code in (403, 404)
    db.session.refresh(a1)
    assert a1.status == AttemptStatus.OPEN


def test_collect_one_needs_a_reason_and_is_audited(signed_in, room, db):
    client = signed_in(room["invigilator"])
    url = f"/api/exams/{room['exam'].id}/monitor/collect"
    assert client.post(url, json={"attempt_id": room["a1"].id, "reason": " "}).status_code == 400
    response = client.post(url, json={"attempt_id": room["a1"].id, "reason": "考生离场"})
    assert response.status_code == 200
    attempt = db.session.get(Attempt, room["a1"].id)
    db.session.refresh(attempt)
    assert attempt.status != AttemptStatus.OPEN and attempt.collected and attempt.auto_submitted
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.collect"))
    assert entry.details["reason"] == "考生离场" and entry.user_id == room["invigilator"].id
    # The candidate's next save is refused: the attempt is closed.
    candidate = signed_in(room["sitting"])
    saved = candidate.put(
        f"/api/exams/attempts/{attempt.id}/answers/2", json={"seq": 5, "response": {"answer": True}}
    )
    assert saved.status_code == 409
    data = client.get(f"/api/exams/{room['exam'].id}/monitor").get_json()
    assert data["counts"]["auto_submitted"] == 1


def test_collect_all_and_reopen(signed_in, room, db):
    client = signed_in(room["invigilator"])
    base_url = f"/api/exams/{room['exam'].id}/monitor"
    assert client.post(
        f"{base_url}/collect", json={"all": True, "reason": "时间到，统一收卷"}
    ).get_json() == {"collected": 1}
    response = client.post(
        f"{base_url}/reopen", json={"attempt_id": room["a2"].id, "minutes": 10, "reason": "误交卷"}
    )
    assert response.status_code == 200
    attempt = db.session.get(Attempt, room["a2"].id)
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.OPEN and attempt.score is None
    assert dt.timedelta(minutes=9) < attempt.deadline - utcnow() <= dt.timedelta(minutes=10)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.reopen"))
    assert entry.details["reason"] == "误交卷"
    # The candidate can save again and hand in again.
    candidate = signed_in(room["done"])
    saved = candidate.put(
        f"/api/exams/attempts/{attempt.id}/answers/1", json={"seq": 99, "response": {"choice": ["A"]}}
    )
    assert saved.status_code == 200
    assert candidate.post(f"/api/exams/attempts/{attempt.id}/submit").status_code == 200


def test_extra_time_moves_the_deadline_the_candidates_timer_reads(signed_in, room, db):
    client = signed_in(room["invigilator"])
    before = room["a1"].deadline
    body = {"employee_id": room["sitting"].employee_id, "minutes": 7, "reason": "设备故障"}
    assert client.post(f"/api/exams/{room['exam'].id}/monitor/extra-time", json=body).status_code == 200
    candidate = signed_in(room["sitting"])
    clock = candidate.get(f"/api/exams/attempts/{room['a1'].id}/time").get_json()
    assert dt.datetime.fromisoformat(clock["deadline"]) == before + 7 * MIN
    row = next(
        r
        for r in client.get(f"/api/exams/{room['exam'].id}/monitor").get_json()["rows"]
        if r["employee_id"] == room["sitting"].employee_id
    )
    assert row["arrangement"]["extra_minutes"] == 7 and row["arrangement"]["reason"] == "设备故障"


def test_messages_reach_the_candidates_page_one_or_all(signed_in, room):
    client = signed_in(room["invigilator"])
    url = f"/api/exams/{room['exam'].id}/monitor/message"
    assert client.post(url, json={"all": True, "body": "还剩十五分钟"}).status_code == 200
    assert (
        client.post(url, json={"employee_id": room["idle"].employee_id, "body": "请到前台"}).status_code
        == 200
    )
    candidate = signed_in(room["sitting"])
    time_url = f"/api/exams/attempts/{room['a1'].id}/time"
    messages = candidate.get(time_url).get_json()["messages"]
    assert [m["body"] for m in messages] == ["还剩十五分钟"]  # not the one for someone else
    assert candidate.get(f"{time_url}?after={messages[-1]['id']}").get_json()["messages"] == []
    assert client.post(url, json={"all": True, "body": ""}).status_code == 400


def test_owner_names_invigilators_and_they_find_the_monitor_under_my_exams(signed_in, db):
    exam = _exam()
    owner = base.user(grants=[("trainer", None)])
    person = base.user()
    client = signed_in(owner)
    response = client.post(
        f"/exams/manage/{exam.id}/invigilators", data={"employees": person.employee.employee_no}
    )
    assert response.status_code == 302
    assert services.is_invigilator(person, exam)
    mine = signed_in(person).get("/exams/mine").get_data(as_text=True)
    assert f"/exams/manage/{exam.id}/monitor" in mine
    bad = client.post(f"/exams/manage/{exam.id}/invigilators", data={"employees": "NOPE-1"})
    assert bad.status_code == 400 and services.is_invigilator(person, exam)


def _statements_of(client, url: str) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if "SAVEPOINT" not in statement:  # the test's own transaction, not the request's
            seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    return seen


def test_the_monitor_json_takes_the_same_few_queries_however_many_candidates(signed_in, room, db):
    """The poll's cost must not grow by a query per candidate (1,000 in a room, five invigilators polling):
    the whole request, sign-in check included, is a fixed handful of statements: the user, the exam, the
    user's roles, the invigilator check, the audience, the candidates with their arrangements, and the
    attempts with their progress."""
    client = signed_in(room["invigilator"])
    url = f"/api/exams/{room['exam'].id}/monitor"
    client.get(url)  # the first request of a session may load what later ones do not
    few = _statements_of(client, url)
    exam, now = room["exam"], utcnow()
    for n in range(6):
        person = f.candidate(exam, department=room["north"])
        attempt = runtime.start_attempt(exam, person.employee, now - 3 * MIN)
        runtime.save_answer(attempt.id, person.employee_id, 1, 1, {"choice": ["A"]}, now - 2 * MIN)
        if n % 2:
            runtime.submit_attempt(attempt, now - MIN)
    owner = base.user(grants=[("trainer", None)])
    arrangements.grant(exam, room["idle"].employee, extra_minutes=10, reason="视力", by=owner, now=now)
    db.session.flush()
    many = _statements_of(client, url)
    assert client.get(url).get_json()["total"] == 9
    assert len(many) == len(few), many
    assert len(many) <= 7, "\n".join(s[:90] for s in many)
