"""The go-live path of docs/go-live.md on an empty database, step by step: the first administrator, the
starter content, departments and the roster, a certification exam for the imported people, and one of
them signing in, passing it and holding the certificate. Run it on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
from sqlalchemy import func, select

from accounts.models import Department, Employee
from core.models import utcnow
from exams import runtime
from exams.models import (
    Attempt,
    AudienceKind,
    BlueprintRule,
    Exam,
    ExamAudience,
    ExamPurpose,
    PaperBlueprint,
    ResultsRelease,
)
from exams.papers import add_section
from training.models import Certificate, CertificateType

ROSTER_HEADER = ["工号", "姓名", "部门", "岗位", "入职日期", "手机号", "身份证号", "邮箱", "状态"]
ROSTER = [
    ["KF0001", "王晓", "客户服务中心/话务一班", "客户服务专员", "2021-03-01", "13800138001", "", "", "在岗"],
    ["KF0002", "李敏", "客户服务中心/话务一班", "客户服务专员", "2022-07-15", "13800138002", "", "", "在岗"],
]


def _roster_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ROSTER_HEADER)
    for row in ROSTER:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sign_in_first_time(client, employee_no: str, password: str, new_password: str) -> None:
    """Sign in with an initial password; the app insists on a new one before anything else."""
    assert client.post("/login", data={"employee_no": employee_no, "password": password}).status_code == 302
    forced = client.get("/")
    assert forced.status_code == 302 and "/account/password" in forced.headers["Location"]
    changed = client.post(
        "/account/password", data={"current": password, "new": new_password, "confirm": new_password}
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200


def _add_department(client, name: str, code: str, kind: str, parent: Department) -> Department:
    response = client.post(
        "/admin/departments", data={"name": name, "code": code, "kind": kind, "parent_id": parent.id}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    Department.query.session.rollback()  # a fresh read: what the request committed
    return Department.query.filter_by(code=code).one()


def _certification_exam(db, unit: Department) -> Exam:
    """What a trainer sets up on the exam pages: a paper of ten 判断题 from chapter 3 of the starter bank, and
    a certification exam for the unit that grants 客户服务专员岗位资格."""
    blueprint = PaperBlueprint(title="持证上岗首考试卷", owner_department_id=unit.id)
    db.session.add(blueprint)
    db.session.flush()
    section = add_section(blueprint, "一、判断题")
    section.rules.append(
        BlueprintRule(kind="draw", count=10, points=Decimal(10), chapters=[3], types=["truefalse"])
    )
    now = utcnow()
    exam = Exam(
        title="客户服务专员持证上岗考试（首考）",
        blueprint=blueprint,
        purpose=ExamPurpose.CERTIFICATION,
        published=True,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        duration_minutes=60,
        max_attempts=2,
        pass_percent=Decimal(60),
        results_release=ResultsRelease.IMMEDIATE,
        owner_department_id=unit.id,
        certificate_type_id=db.session.scalar(
            select(CertificateType.id).where(CertificateType.code == "KFZY")
        ),
    )
    exam.audience.append(ExamAudience(kind=AudienceKind.DEPARTMENT, target_id=unit.id))
    db.session.add(exam)
    db.session.commit()
    return exam


def test_go_live_from_an_empty_database_to_a_certificate(app, committed_db):
    db = committed_db
    runner = app.test_cli_runner()
    assert db.session.scalar(select(func.count()).select_from(Employee)) == 0

    # 1. The first administrator (an empty database: the root department and the 系统管理员 post are made).
    made = runner.invoke(
        args=[
            "accounts",
            "create-admin",
            "--employee-no",
            "IT001",
            "--name",
            "张管理",
            "--generate",
            "--root-name",
            "江南供电公司",
        ]
    )
    assert made.exit_code == 0, made.output
    admin_password = re.search(r"^IT001\t(\S+)$", made.output, re.M).group(1)

    # 2. The guide's starter content, no people.
    content = runner.invoke(args=["seed-content"])
    assert content.exit_code == 0, content.output
    assert "questions: 310 added" in content.output

    # 3. The administrator signs in, changes the password, and builds the department tree.
    admin = app.test_client()
    _sign_in_first_time(admin, "IT001", admin_password, "Jiangnan-Admin-2027")
    db.session.rollback()  # a fresh read: what the commands and requests committed
    root = Department.query.filter_by(code="ROOT").one()
    assert root.name == "江南供电公司"
    center = _add_department(admin, "客户服务中心", "KF", "center", root)
    _add_department(admin, "话务一班", "KF-1", "team", center)

    # 4. People from the roster (the posts came with the starter content): preview, then confirm.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="roster.xlsx"\r\n\r\n'
        + _roster_xlsx()
        + b"\r\n--B--\r\n"
    )
    preview = admin.post("/people/import", data=body, content_type="multipart/form-data; boundary=B")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    result = admin.post("/people/import/confirm", data={"token": token}).get_data(as_text=True)
    passwords = dict(re.findall(r"<tr><td>(KF\d+)</td><td>[^<]+</td><td><code>([^<]+)</code>", result))
    assert set(passwords) == {"KF0001", "KF0002"}

    # 5. A certification exam for the imported people's unit.
    exam = _certification_exam(db, center)

    # 6. One of them signs in, takes the exam and holds the certificate.
    candidate = app.test_client()
    _sign_in_first_time(candidate, "KF0001", passwords["KF0001"], "Wang-Xiao-2027")
    assert exam.title in candidate.get("/exams/mine").get_data(as_text=True)
    paper = candidate.post(f"/api/exams/{exam.id}/start").get_json()
    assert len(paper["questions"]) == 10
    attempt = db.session.get(Attempt, paper["attempt_id"])
    items = runtime.load_items(attempt)
    versions = runtime.versions_of(items)
    for item in items:
        answer = {"seq": 1, "response": {"answer": bool(versions[item.version_id].key["answer"])}}
        saved = candidate.put(f"/api/exams/attempts/{attempt.id}/answers/{item.position}", json=answer)
        assert saved.status_code == 200 and saved.get_json()["saved"], saved.get_data(as_text=True)
    submitted = candidate.post(f"/api/exams/attempts/{attempt.id}/submit").get_json()
    assert submitted["passed"] is True and submitted["score"] == "100.00"
    page = candidate.get("/training/my/qualifications").get_data(as_text=True)
    assert "客户服务专员岗位资格" in page
    db.session.rollback()
    employee = Employee.query.filter_by(employee_no="KF0001").one()
    certificate = db.session.scalar(select(Certificate).where(Certificate.employee_id == employee.id))
    assert certificate is not None and certificate.sha256
