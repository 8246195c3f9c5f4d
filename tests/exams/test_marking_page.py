"""The marking page as a trainer uses it: rubric ticks count, survive a refused save, and a rubric that
does not add up to the question's points is shown next to the question's points."""

from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from core.notifications import Notification
from exams import runtime
from exams.models import AttemptStatus
from tests.exams import factories as f
from tests.exams.test_views import _open_exam

RUBRIC = {
    "reference_html": "<p>参考答案</p>",
    "rubric": [{"text": "分级响应", "points": "3"}, {"text": "及时报告", "points": "2"}],
}


def _essay_attempt():
    exam = _open_exam([f.question("essay", points="10", key=RUBRIC)])
    writer = f.candidate(exam, name="李四")
    attempt = runtime.start_attempt(exam, writer.employee, utcnow())
    runtime.save_answer(attempt.id, writer.employee_id, 1, 1, {"text": "分级响应"}, utcnow())
    runtime.submit_attempt(attempt, utcnow())
    item = runtime.load_items(attempt)[0]
    return exam, attempt, item


def test_ticks_sum_into_the_points_when_none_are_typed(client, login, db):
    exam, attempt, item = _essay_attempt()
    login("trainer")
    url = f"/exams/manage/{exam.id}/grading/{item.version_id}"
    client.post(url, data={"item_id": item.id, "points": "", "rubric-0": "on", "rubric-1": "on"})
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("5.00")
    assert runtime.load_items(attempt)[0].rubric_marks == [0, 1]


def test_a_refused_save_keeps_the_ticks_points_and_comment(client, login, db):
    exam, attempt, item = _essay_attempt()
    login("trainer")
    url = f"/exams/manage/{exam.id}/grading/{item.version_id}"
    page = client.post(url, data={"item_id": item.id, "points": "12", "comment": "很好", "rubric-1": "on"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert f'id="r{item.id}-1" checked' in html and f'id="r{item.id}-0" checked' not in html
    assert 'value="12"' in html and 'value="很好"' in html
    assert "Points must be between 0 and 10" in html
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED


def test_the_marking_page_shows_a_rubric_that_does_not_add_up(client, login, db):
    exam, attempt, item = _essay_attempt()
    login("trainer")
    html = client.get(f"/exams/manage/{exam.id}/grading/{item.version_id}").get_data(as_text=True)
    assert "The rubric adds up to 5 points; the question is worth 10 points." in html


def db_notes(user_id, kind):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        )
    )


def test_the_candidate_is_told_when_marking_is_complete(client, login, db):
    exam, attempt, item = _essay_attempt()
    user = attempt.employee.user
    login("trainer")
    url = f"/exams/manage/{exam.id}/grading/{item.version_id}"
    assert db_notes(user.id, "exam.marked") == []
    client.post(url, data={"item_id": item.id, "points": "4"})
    notes = db_notes(user.id, "exam.marked")
    assert len(notes) == 1
    assert exam.title in notes[0].title and "最终成绩：4.00 / 10.00" in notes[0].body
    assert notes[0].link == f"/exams/attempts/{attempt.id}/result"
    client.post(url, data={"item_id": item.id, "points": "6"})  # a later correction is no new "finished"
    assert len(db_notes(user.id, "exam.marked")) == 1


def test_next_unmarked_and_the_by_candidate_view(client, login, db):
    exam = _open_exam([f.question("essay", points="10", key=RUBRIC), f.question("essay", points="5")])
    attempts = []
    for name in ("王五", "赵六"):
        writer = f.candidate(exam, name=name)
        attempt = runtime.start_attempt(exam, writer.employee, utcnow())
        runtime.save_answer(attempt.id, writer.employee_id, 1, 1, {"text": f"{name}的答案一"}, utcnow())
        runtime.save_answer(attempt.id, writer.employee_id, 2, 1, {"text": f"{name}的答案二"}, utcnow())
        runtime.submit_attempt(attempt, utcnow())
        attempts.append(attempt)
    login("trainer")
    first = runtime.load_items(attempts[0])[0]
    url = f"/exams/manage/{exam.id}/grading/{first.version_id}"
    saved = client.post(url, data={"item_id": first.id, "points": "6"})
    second = runtime.load_items(attempts[1])[0]
    assert saved.headers["Location"].endswith(f"#item-{second.id}")  # on to the next unmarked answer
    queue = client.get(f"/exams/manage/{exam.id}/grading").get_data(as_text=True)
    candidate_url = f"/exams/manage/{exam.id}/grading/attempts/{attempts[1].id}"
    assert candidate_url in queue
    sheet = client.get(candidate_url).get_data(as_text=True)
    assert "赵六的答案一" in sheet and "赵六的答案二" in sheet and "王五的答案一" not in sheet
    item = runtime.load_items(attempts[1])[1]
    back = client.post(
        f"/exams/manage/{exam.id}/grading/{item.version_id}?next={candidate_url}",
        data={"item_id": item.id, "points": "3"},
    )
    assert back.headers["Location"].startswith(candidate_url)
    assert client.get(f"/exams/manage/{exam.id}/grading/attempts/999999").status_code == 404
