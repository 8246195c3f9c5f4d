"""The practice pages: who reaches them, a run through the JSON answer API, someone else's run, the mistake
book's PDF, the heatmap with its drill-down, openings and the one-step plan item."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import select

from practice import runs
from practice.models import Mastery, Mode, PracticeOpening
from practice.recording import rebuild_department_mastery
from tests import factories
from tests.access import assert_access, client_as
from tests.practice.helpers import NOW, learner, open_bank, right, wrong
from training.models import Course, PlanItem, TrainingPlan


def test_employee_pages_reach_every_signed_in_user(app, db):
    for url in ("/practice/", "/practice/mistakes", "/practice/mastery"):
        assert_access(app, url, {"employee", "trainer", "hr", "admin"})


def test_staff_pages_are_for_staff(app, db):
    assert_access(app, "/practice/heatmap", {"trainer", "hr", "admin"})
    assert_access(app, "/practice/openings", {"trainer", "admin"})


def test_a_run_through_the_json_api_and_someone_elses_run_is_404(app, client, login, db):
    _cat, _kp, questions = open_bank(2)
    user = login()
    response = client.post("/practice/start", data={"mode": "sequential", "size": "20"})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "Question 1 of 2" in page and 'id="practice-form"' in page
    run_id = int(run_url.rstrip("/").split("/")[-1])
    first = db.session.get(type(questions[0]), db.session.get(runs.PracticeRun, run_id).items[0][0])
    answer = client.post(f"/practice/runs/{run_id}/answer", json={"position": 0, "response": wrong(first)})
    body = answer.get_json()
    assert answer.status_code == 200 and body["correct"] is False
    assert "Not right." in body["html"] and "见指南3.3" in body["html"] and "响应时限" in body["html"]
    # A retry of the same position gets the same verdict, even with another answer.
    assert (
        client.post(
            f"/practice/runs/{run_id}/answer", json={"position": 0, "response": right(first)}
        ).get_json()["correct"]
        is False
    )
    other, _other_user = client_as(app, "employee")
    assert other.get(run_url).status_code == 404
    assert (
        other.post(f"/practice/runs/{run_id}/answer", json={"position": 1, "response": {}}).status_code == 404
    )
    assert user is not None


def test_answer_needs_the_csrf_token(client, login, db, request):
    _cat, _kp, questions = open_bank(1)
    user = login()
    request.getfixturevalue("csrf_enabled")
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    db.session.flush()
    response = client.post(
        f"/practice/runs/{run.id}/answer", json={"position": 0, "response": right(questions[0])}
    )
    assert response.status_code == 400


def test_the_mistake_book_pdf_reads_in_chinese(client, login, db, tmp_path):
    _cat, _kp, questions = open_bank(1)
    user = login()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    runs.answer(run, 0, wrong(questions[0]), NOW)
    db.session.flush()
    response = client.get("/practice/mistakes.pdf", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "book.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "错题本" in text and "答错 1 次" in text and "见指南3.3" in text


def test_heatmap_cells_drill_down_to_people(client, login, db):
    branch = factories.department(name="城东分公司")
    team = factories.department(name="营业班", parent=branch)
    _cat, kp, questions = open_bank(3)
    person = learner(department=team)
    db.session.add(Mastery(employee_id=person.employee_id, knowledge_point_id=kp.parent_id, recent="0010",
                           right_count=1, answered=4, updated_at=NOW))  # fmt: skip
    rebuild_department_mastery()
    login("trainer", scope=branch)
    page = client.get(f"/practice/heatmap?dept={branch.id}").get_data(as_text=True)
    assert "<svg" in page and f'data-cell="{team.id}-{kp.parent_id}"' in page and ">25<" in page
    people = client.get(f"/practice/heatmap/people?dept={team.id}&point={kp.parent_id}").get_data(
        as_text=True
    )
    assert person.employee.name in people and "25%" in people
    other = factories.department()
    assert client.get(f"/practice/heatmap?dept={other.id}").status_code == 404


def test_weak_points_become_a_plan_item_in_one_step(client, login, db):
    branch = factories.department()
    _cat, kp, _questions = open_bank(1)
    person = learner(department=branch)
    db.session.add(Mastery(employee_id=person.employee_id, knowledge_point_id=kp.parent_id, recent="000",
                           right_count=0, answered=3, updated_at=NOW))  # fmt: skip
    rebuild_department_mastery()
    course = Course(code="K-9", title="时限培训", knowledge_points=[kp], hours=4)
    plan = TrainingPlan(unit=branch, year=2026, period="year", title="2026年培训计划")
    db.session.add_all([course, plan])
    db.session.flush()
    login("trainer", scope=branch)
    page = client.get(f"/practice/heatmap/plan?dept={branch.id}").get_data(as_text=True)
    assert "K-9" in page
    response = client.post(
        f"/practice/heatmap/plan?dept={branch.id}",
        data={"plan_id": plan.id, "course_id": course.id, "planned_month": 9, "planned_hours": "4"},
    )
    assert response.status_code == 302
    item = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id))
    assert item.course_id == course.id and [d.id for d in item.departments] == [branch.id]


def test_openings_are_per_audience_and_in_scope(client, login, db):
    branch = factories.department()
    category = open_bank(0)[0]
    login("trainer", scope=branch)
    assert (
        client.post("/practice/openings", data={"category_id": category.id, "department_id": ""}).status_code
        == 404
    )
    assert (
        client.post(
            "/practice/openings", data={"category_id": category.id, "department_id": branch.id}
        ).status_code
        == 302
    )
    assert (
        db.session.scalar(
            select(PracticeOpening).where(PracticeOpening.department_id == branch.id)
        ).category_id
        == category.id
    )


@pytest.mark.parametrize("url", ["/practice/runs/999999", "/practice/runs/999999/end"])
def test_unknown_run_is_404(client, login, db, url):
    login()
    assert client.get(url).status_code == 404


def test_a_handed_in_mock_exam_shows_its_score_and_review(client, login, db):
    category, _kp, questions = open_bank(2)
    user = login()
    from tests.exams import factories as exam_factories

    exam = exam_factories.exam(
        exam_factories.blueprint(draw=[{"count": 2, "category_id": category.id}]),
        purpose="certification",
        opens_at=NOW + dt.timedelta(days=5),
        closes_at=NOW + dt.timedelta(days=6),
        audience_employees=[user.employee],
    )
    run = runs.start_mock(user.employee, exam, dt.datetime.now(dt.UTC), seed=3)
    first = db.session.get(type(questions[0]), run.items[0][0])
    body = client.post(
        f"/practice/runs/{run.id}/answer", json={"position": 0, "response": wrong(first)}
    ).get_json()
    assert body["correct"] is None and "html" not in body  # no feedback during a mock exam
    assert client.post(f"/practice/runs/{run.id}/finish").status_code == 302
    page = client.get(f"/practice/runs/{run.id}/end").get_data(as_text=True)
    assert "Mock exam score: 0 of 4" in page and "never counted" in page and "Not right." in page


def test_each_answered_question_has_its_own_address_for_its_owner_only(app, client, login, db):
    _cat, _kp, questions = open_bank(3)
    user = login()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    by_id = {q.id: q for q in questions}
    first, second = (by_id[run.items[i][0]] for i in (0, 1))
    runs.answer(run, 0, right(first), NOW)
    runs.answer(run, 1, wrong(second), NOW)
    db.session.commit()
    base = f"/practice/runs/{run.id}"
    page = client.get(f"{base}/q/2").get_data(as_text=True)
    assert "Question 2 of 3" in page and "Not right." in page and "见指南3.3" in page
    given = wrong(second)["choice"][0]
    assert f'id="r_{given}" value="{given}"\n        checked disabled' in page  # the person's answer, ticked
    assert f'href="{base}/q/1"' in page  # previous question
    assert "Right!" in client.get(f"{base}/q/1").get_data(as_text=True)
    # the question still to answer opens the run's page; a number the run has not is 404
    assert client.get(f"{base}/q/3").headers["Location"].endswith(base)
    assert client.get(f"{base}/q/4").status_code == 404 and client.get(f"{base}/q/0").status_code == 404
    assert f'href="{base}/q/2"' in client.get(base).get_data(as_text=True)  # the question page links back
    other, _other_user = client_as(app, "employee")
    assert other.get(f"{base}/q/1").status_code == 404


def test_a_mock_exams_answer_shows_no_verdict_before_it_is_handed_in(app, client, login, db):
    from tests.exams import factories as exam_factories

    _cat, _kp, questions = open_bank(2)
    user = login()
    run = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), NOW)
    run.mode = Mode.MOCK  # a mock exam's answers wait for the hand-in
    q = next(q for q in questions if q.id == run.items[0][0])
    runs.answer(run, 0, wrong(q), NOW)
    db.session.commit()
    page = client.get(f"/practice/runs/{run.id}/q/1").get_data(as_text=True)
    assert "Not right." not in page and "Right!" not in page and "见指南3.3" not in page
    runs.finish(run, exam_factories.NOW)
    db.session.commit()
    assert "Not right." in client.get(f"/practice/runs/{run.id}/q/1").get_data(as_text=True)


def test_the_demo_employee_has_a_practice_under_way_whose_pages_the_crawl_opens(app, client, login, db):
    from practice.models import PracticeRun
    from practice.seed import DEMO_LEARNER, _demo_run

    open_bank(3)
    user = login(user=factories.user(employee_no=DEMO_LEARNER))
    _demo_run(lambda _line: None)
    _demo_run(lambda _line: None)  # idempotent: one practice, two answers
    (run,) = db.session.scalars(select(PracticeRun).where(PracticeRun.employee_id == user.employee_id)).all()
    assert (run.position, run.answered_count, run.right_count) == (2, 2, 1)
    db.session.commit()
    home = client.get("/practice/").get_data(as_text=True)
    assert f'href="/practice/runs/{run.id}"' in home  # the crawl's way in
    assert f'href="/practice/runs/{run.id}/q/2"' in client.get(f"/practice/runs/{run.id}").get_data(
        as_text=True
    )
    assert client.get(f"/practice/runs/{run.id}/q/1").status_code == 200
