"""Trainers build the catalogue and the year's work in the web UI: courses, plans, plan items, sessions.

Each form: a successful save, bad input named by field (nothing saved), the role matrix, department
scope (a trainer outside the unit gets 404) and CSRF."""

import io
import re
from decimal import Decimal

from sqlalchemy import func, select

from tests import factories
from tests.access import assert_access, client_as
from tests.training import factories as tf
from training import services
from training.models import Course, CourseMaterial, PlanItem, TrainingPlan, TrainingSession

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _errors(response) -> str:
    """The text of the field errors shown under the inputs."""
    return " ".join(re.findall(r'class="invalid-feedback">([^<]*)<', response.get_data(as_text=True)))


def _field_invalid(response, name: str) -> bool:
    return (
        re.search(
            rf'<[^>]*name="{name}"[^>]*is-invalid|<[^>]*is-invalid[^>]*name="{name}"',
            response.get_data(as_text=True),
        )
        is not None
    )


def _plan(unit, year=2026, period="year"):
    return services.create_plan(unit, year, period, f"{year}年度培训计划")


# ---------------------------------------------------------------- courses


def test_trainer_creates_a_course_with_points_positions_and_a_material(client, db, login):
    unit = factories.department()
    pos = factories.position("客户服务专员")
    login("trainer", scope=unit)
    response = client.post(
        "/training/courses/new",
        data={
            "code": "fw-301",
            "title": "停电信息发布规范",
            "description": "停电信息的发布流程",
            "guide_chapters": "3.3, 6.2",
            "hours": "2.5",
            "form": "online",
            "department": unit.id,
            "positions": [pos.id],
            "knowledge_points": "服务流程、 停电信息发布,服务流程",
            "requires_exam": "y",
            "material_title": "讲义",
            "material_file": (io.BytesIO(PDF), "讲义.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _errors(response)
    course = db.session.scalar(select(Course).where(Course.code == "FW-301"))
    assert course.department_id == unit.id and course.hours == Decimal("2.5") and course.requires_exam
    assert [p.name for p in course.positions] == ["客户服务专员"]
    assert sorted(k.name for k in course.knowledge_points) == ["停电信息发布", "服务流程"]
    assert [m.title for m in course.materials] == ["讲义"] and course.materials[0].file.size == len(PDF)
    page = client.get(response.headers["Location"])
    assert "停电信息发布规范" in page.get_data(as_text=True) and "讲义" in page.get_data(as_text=True)


def test_course_edit_changes_fields_and_keeps_code_unique(client, db, login):
    unit = factories.department()
    course = tf.course(department_id=unit.id, title="旧标题")
    other = tf.course(department_id=unit.id)
    login("trainer", scope=unit)
    form = client.get(f"/training/courses/{course.id}/edit")
    assert form.status_code == 200 and "旧标题" in form.get_data(as_text=True)
    base = {"code": course.code, "title": "新标题", "hours": "3", "form": "classroom", "department": unit.id}
    response = client.post(
        f"/training/courses/{course.id}/edit", data={**base, "material_url": "https://kb.example/a"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert course.title == "新标题" and course.materials[0].url == "https://kb.example/a"
    clash = client.post(f"/training/courses/{course.id}/edit", data={**base, "code": other.code})
    assert clash.status_code == 400 and _field_invalid(clash, "code")
    assert "已被使用" in _errors(clash) or other.code in _errors(clash)


def test_course_form_bad_input_is_named_by_field_and_saves_nothing(client, db, login):
    unit = factories.department()
    login("trainer", scope=unit)
    before = db.session.scalar(select(func.count(Course.id)))
    cases = [
        ({"title": ""}, "title"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"form": "lecture"}, "form"),
        ({"material_url": "not a link"}, "material_url"),
    ]
    good = {"code": "X-1", "title": "课程", "hours": "2", "form": "classroom", "department": unit.id}
    for change, field in cases:
        response = client.post("/training/courses/new", data={**good, **change})
        assert response.status_code == 400, change
        assert _field_invalid(response, field), (change, _errors(response))
    wrong_type = client.post(
        "/training/courses/new",
        data={**good, "material_file": (io.BytesIO(b"MZ\x90\x00binary"), "a.exe")},
        content_type="multipart/form-data",
    )
    assert wrong_type.status_code == 400 and _field_invalid(wrong_type, "material_file")
    assert db.session.scalar(select(func.count(Course.id))) == before


def test_scoped_trainer_cannot_create_company_wide_or_foreign_courses(client, db, login):
    unit, elsewhere = factories.department(), factories.department()
    foreign = tf.course(department_id=elsewhere.id)
    login("trainer", scope=unit)
    good = {"code": "X-2", "title": "课程", "hours": "2", "form": "classroom"}
    for department in (0, elsewhere.id):
        response = client.post("/training/courses/new", data={**good, "department": department})
        assert response.status_code == 400 and _field_invalid(response, "department")
    assert client.get(f"/training/courses/{foreign.id}/edit").status_code == 404
    assert client.post(f"/training/courses/{foreign.id}/edit", data=good).status_code == 404


def test_course_forms_role_matrix(app, db):
    course = tf.course()
    for url in ("/training/courses/new", f"/training/courses/{course.id}/edit"):
        assert_access(app, url, {"trainer", "admin"})


# ---------------------------------------------------------------- plans and items


def test_trainer_creates_and_edits_a_plan_in_scope(client, db, login):
    unit = factories.department(name="东城供电中心")
    login("trainer", scope=unit)
    response = client.post(
        "/training/plans/new",
        data={"title": "2027年上半年培训计划", "unit": unit.id, "year": 2027, "period": "h1"},
    )
    assert response.status_code == 302, _errors(response)
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.year == 2027))
    assert (plan.unit_id, plan.period) == (unit.id, "h1")
    again = client.post(
        "/training/plans/new", data={"title": "重复", "unit": unit.id, "year": 2027, "period": "h1"}
    )
    assert again.status_code == 400 and _field_invalid(again, "period")
    edit = client.post(
        f"/training/plans/{plan.id}/edit",
        data={"title": "2027年全年培训计划", "unit": unit.id, "year": 2027, "period": "year"},
    )
    db.session.expire_all()
    assert edit.status_code == 302 and plan.title == "2027年全年培训计划" and plan.period == "year"
    assert "2027年全年培训计划" in client.get("/training/plans").get_data(as_text=True)


def test_plan_form_bad_input(client, db, login):
    unit, elsewhere = factories.department(), factories.department()
    login("trainer", scope=unit)
    good = {"title": "计划", "unit": unit.id, "year": 2027, "period": "year"}
    for change, field in (
        ({"title": ""}, "title"),
        ({"year": "1999"}, "year"),
        ({"year": "x"}, "year"),
        ({"period": "q3"}, "period"),
        ({"unit": elsewhere.id}, "unit"),
    ):
        response = client.post("/training/plans/new", data={**good, **change})
        assert response.status_code == 400 and _field_invalid(response, field), change
    assert db.session.scalar(select(func.count(TrainingPlan.id))) == 0


def test_plan_item_add_edit_delete(client, db, login):
    unit = factories.department()
    team = factories.department(parent=unit)
    pos = factories.position()
    trainer_emp = factories.employee(department=unit)
    course = tf.course(hours="4")
    plan = _plan(unit)
    login("trainer", scope=unit)
    data = {
        "course": course.id,
        "departments": [team.id],
        "positions": [pos.id],
        "planned_month": 5,
        "planned_hours": "4",
        "trainer_no": trainer_emp.employee_no.lower(),
        "headcount": 12,
    }
    response = client.post(f"/training/plans/{plan.id}/items/new", data=data)
    assert response.status_code == 302, _errors(response)
    item = plan.items[0]
    assert (item.planned_month, item.headcount, item.trainer_id) == (5, 12, trainer_emp.id)
    assert [d.id for d in item.departments] == [team.id] and [p.id for p in item.positions] == [pos.id]
    page = client.get(f"/training/plans/{plan.id}").get_data(as_text=True)
    assert course.title in page and f"/items/{item.id}/delete" in page
    edit = client.post(
        f"/training/plans/{plan.id}/items/{item.id}/edit",
        data={**data, "planned_month": 9, "departments": []},
    )
    db.session.expire_all()
    assert (
        edit.status_code == 302 and item.planned_month == 9 and [d.id for d in item.departments] == [unit.id]
    )
    session, item_id = tf.session(course, department=unit), item.id
    session.plan_item = item
    db.session.flush()
    assert client.post(f"/training/plans/{plan.id}/items/{item.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanItem, item_id) is None and session.plan_item_id is None


def test_plan_item_bad_input(client, db, login):
    unit = factories.department()
    plan = _plan(unit, period="h1")
    course = tf.course()
    login("trainer", scope=unit)
    good = {"course": course.id, "planned_month": 3, "planned_hours": "2", "headcount": 5}
    for change, field in (
        ({"planned_month": 8}, "planned_month"),  # outside the first half-year
        ({"planned_month": 13}, "planned_month"),
        ({"planned_hours": "0"}, "planned_hours"),
        ({"headcount": "-1"}, "headcount"),
        ({"trainer_no": "NOBODY"}, "trainer_no"),
        ({"course": 999999}, "course"),
    ):
        response = client.post(f"/training/plans/{plan.id}/items/new", data={**good, **change})
        assert response.status_code == 400 and _field_invalid(response, field), (change, _errors(response))
    db.session.expire_all()
    assert plan.items == []


def test_plans_outside_scope_answer_404(client, db, login):
    unit, elsewhere = factories.department(), factories.department()
    foreign = _plan(elsewhere)
    item = services.add_plan_item(
        foreign, course=tf.course(), planned_month=3, planned_hours=Decimal(2), headcount=1
    )
    login("trainer", scope=unit)
    assert client.get(f"/training/plans/{foreign.id}").status_code == 404
    assert client.get(f"/training/plans/{foreign.id}/edit").status_code == 404
    assert client.get(f"/training/plans/{foreign.id}/items/new").status_code == 404
    assert client.get(f"/training/plans/{foreign.id}/items/{item.id}/edit").status_code == 404
    assert client.post(f"/training/plans/{foreign.id}/items/{item.id}/delete").status_code == 404
    assert foreign.title not in client.get("/training/plans").get_data(as_text=True)
    assert db.session.get(PlanItem, item.id) is not None


def test_plan_pages_role_matrix(app, db):
    unit = factories.department()
    plan = _plan(unit)
    item = services.add_plan_item(
        plan, course=tf.course(), planned_month=3, planned_hours=Decimal(2), headcount=1
    )
    for url in (
        "/training/plans/new",
        f"/training/plans/{plan.id}/edit",
        f"/training/plans/{plan.id}/items/new",
        f"/training/plans/{plan.id}/items/{item.id}/edit",
    ):
        assert_access(app, url, {"trainer", "admin"})
    # Deleting: an allowed role removes the item, so each role posts against a fresh one.
    for role, expected in (
        ("anonymous", 302),
        ("employee", 403),
        ("hr", 403),
        ("trainer", 302),
        ("admin", 302),
    ):
        fresh = services.add_plan_item(
            plan, course=item.course, planned_month=4, planned_hours=Decimal(2), headcount=1
        )
        client, _user = client_as(app, role)
        fresh_id = fresh.id
        response = client.post(f"/training/plans/{plan.id}/items/{fresh_id}/delete")
        assert response.status_code == expected, role
        db.session.expire_all()
        assert (db.session.get(PlanItem, fresh_id) is None) == (role in ("trainer", "admin")), role


# ---------------------------------------------------------------- sessions


def test_trainer_creates_and_edits_a_session_linked_to_a_plan_item(client, db, login):
    unit = factories.department()
    course = tf.course()
    plan = _plan(unit)
    item = services.add_plan_item(
        plan, course=course, planned_month=9, planned_hours=Decimal(4), headcount=20
    )
    user = login("trainer", scope=unit)
    assert user.employee.employee_no in client.get("/training/sessions/new").get_data(as_text=True)
    data = {
        "course": course.id,
        "department": unit.id,
        "title": "九月班",
        "starts_at": "2026-09-10T09:00",
        "ends_at": "2026-09-10T12:00",
        "place": "培训楼201",
        "capacity": 25,
        "trainer_no": user.employee.employee_no,
        "plan_item": item.id,
        "self_enrolment": "y",
    }
    response = client.post("/training/sessions/new", data=data)
    assert response.status_code == 302, _errors(response)
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.title == "九月班"))
    assert session.plan_item_id == item.id and session.starts_at.hour == 1  # 09:00 Shanghai = 01:00 UTC
    edit = client.post(
        f"/training/sessions/{session.id}/edit", data={**data, "place": "培训楼305", "capacity": 40}
    )
    db.session.expire_all()
    assert edit.status_code == 302 and (session.place, session.capacity) == ("培训楼305", 40)
    bad = client.post(f"/training/sessions/{session.id}/edit", data={**data, "ends_at": "2026-09-10T08:00"})
    db.session.expire_all()
    assert bad.status_code == 400 and _field_invalid(bad, "ends_at") and session.place == "培训楼305"


def test_session_form_bad_input_and_scope(client, db, login):
    unit, elsewhere = factories.department(), factories.department()
    course = tf.course()
    foreign = tf.session(course, department=elsewhere)
    login("trainer", scope=unit)
    good = {
        "course": course.id,
        "department": unit.id,
        "starts_at": "2026-09-10T09:00",
        "ends_at": "2026-09-10T12:00",
        "capacity": 10,
        "plan_item": 0,
    }
    for change, field in (
        ({"department": elsewhere.id}, "department"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"trainer_no": "NOBODY"}, "trainer_no"),
    ):
        response = client.post("/training/sessions/new", data={**good, **change})
        assert response.status_code == 400 and _field_invalid(response, field), (change, _errors(response))
    assert client.get(f"/training/sessions/{foreign.id}/edit").status_code == 404
    assert client.post(f"/training/sessions/{foreign.id}/edit", data=good).status_code == 404


def test_session_forms_role_matrix(app, db):
    session = tf.session()
    for url in ("/training/sessions/new", f"/training/sessions/{session.id}/edit"):
        assert_access(app, url, {"trainer", "admin"})


def test_authoring_forms_refuse_a_missing_csrf_token(client, db, login, request):
    unit = factories.department()
    plan = _plan(unit)
    course = tf.course(department_id=unit.id)
    item = services.add_plan_item(plan, course=course, planned_month=3, planned_hours=Decimal(2), headcount=1)
    session = tf.session(course, department=unit)
    login("trainer", scope=unit)
    request.getfixturevalue("csrf_enabled")  # after signing in: the sign-in form has no token here
    for url, data in (
        (
            "/training/courses/new",
            {"code": "C-9", "title": "课程", "hours": "2", "form": "classroom", "department": unit.id},
        ),
        (
            f"/training/courses/{course.id}/edit",
            {"code": course.code, "title": "改", "hours": "2", "form": "classroom", "department": unit.id},
        ),
        ("/training/plans/new", {"title": "计划", "unit": unit.id, "year": 2030, "period": "year"}),
        (f"/training/plans/{plan.id}/edit", {"title": "改", "unit": unit.id, "year": 2026, "period": "year"}),
        (
            f"/training/plans/{plan.id}/items/new",
            {"course": course.id, "planned_month": 3, "planned_hours": "2", "headcount": 1},
        ),
        (
            f"/training/plans/{plan.id}/items/{item.id}/edit",
            {"course": course.id, "planned_month": 4, "planned_hours": "2", "headcount": 1},
        ),
        (
            f"/training/sessions/{session.id}/edit",
            {
                "course": course.id,
                "department": unit.id,
                "starts_at": "2026-09-10T09:00",
                "ends_at": "2026-09-10T12:00",
                "capacity": 10,
                "plan_item": 0,
            },
        ),
    ):
        response = client.post(url, data=data)
        assert response.status_code in (400,), (url, response.status_code)
    assert client.post(f"/training/plans/{plan.id}/items/{item.id}/delete").status_code == 400
    db.session.expire_all()
    assert course.title != "改" and plan.title != "改" and item.planned_month == 3
    assert db.session.get(PlanItem, item.id) is not None
    assert db.session.scalar(select(func.count(CourseMaterial.id))) == 0
