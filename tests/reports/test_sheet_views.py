"""The sheet's pages: who may open them (404 outside HR's scope), the audit of every view, the PDF in
Chinese, the workbook, the department's zip, and the links to the sheet from other pages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pypdf
from sqlalchemy import select

from core.audit import AuditEntry
from core.jobs import JobRun
from exams.models import Attempt
from reports.exports import sheets_pdfs
from reports.periods import parse_period
from reports.sheet import build_sheet
from tests import factories
from tests.reports.factories import NOW, completion, person_with_records
from tests.training import factories as training_factories

SHEET = "/reports/people/{}/sheet?period=2026H1"


def _audits(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_hr_in_scope_sees_the_sheet_and_the_view_is_audited(client, db, login):
    branch = factories.department(kind="branch")
    person = person_with_records(department=factories.department(parent=branch))
    login("hr", scope=branch)
    page = client.get(SHEET.format(person.employee.id))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "张三" in text and "客服规范考试" in text and "低压电工作业证" in text
    assert f"/training/certificates/{person.record.certificate_id}.pdf" in text
    (entry,) = _audits(db, "report.sheet_viewed")
    assert entry.object_id == str(person.employee.id)
    assert entry.details["period"] == "2026H1"


def test_people_outside_scope_do_not_exist(client, db, login):
    person = person_with_records(department=factories.department(kind="branch"))
    login("hr", scope=factories.department(kind="branch"))
    for suffix in ("", ".pdf", ".xlsx"):
        url = f"/reports/people/{person.employee.id}/sheet{suffix}"
        assert client.get(url).status_code == 404, url
    assert _audits(db, "report.sheet_viewed") == []


def _client_as(app, user):
    other = app.test_client()
    response = other.post(
        "/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return other


def test_trainers_get_404(client, db, login):
    person = person_with_records()
    login("trainer")
    assert client.get(SHEET.format(person.employee.id)).status_code == 404


def test_people_see_their_own_sheet(client, db, login):
    person = person_with_records()
    login(user=factories.user(employee_obj=person.employee))
    assert client.get(SHEET.format(person.employee.id)).status_code == 200


def test_pdf_reads_in_chinese_and_is_audited(client, db, login):
    person = person_with_records()
    login("admin")
    response = client.get(f"/reports/people/{person.employee.id}/sheet.pdf?period=2026H1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.data)).pages
    text = "".join(page.extract_text() for page in pages).replace(" ", "")
    for words in (
        "个人培训考核档案",
        "张三",
        "2026年上半年",
        "低压电工作业证",
        "未取得",
        "客服规范考试",
        "总指挥",
        "优秀",
    ):
        assert words in text, words
    assert len(_audits(db, "report.sheet_pdf")) == 1


def test_workbook_has_a_sheet_per_part(client, db, login):
    person = person_with_records()
    login("admin")
    response = client.get(f"/reports/people/{person.employee.id}/sheet.xlsx?period=2026H1")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况", "资质证书", "学时", "课程", "考试", "应急演练", "积分", "服务指标"]
    exams = list(book["考试"].iter_rows(values_only=True))
    assert exams[1][0] == "客服规范考试" and exams[1][2] == 82 and exams[1][5] == 2
    assert len(_audits(db, "report.sheet_xlsx")) == 1


def test_department_zip_holds_one_pdf_per_person_in_scope(app, client, db, login):
    branch = factories.department(kind="branch")
    team = factories.department(parent=branch)
    person = person_with_records(department=team)
    factories.employee(department=team, name="李四")
    factories.employee(department=team, name="王五", status="left")  # not on post
    factories.employee(department=factories.department(kind="branch"), name="赵六")  # another branch
    user = login("hr", scope=branch)
    listing = client.get(f"/reports/sheets?department={branch.id}&period=2026H1").get_data(as_text=True)
    assert "张三" in listing and "李四" in listing and "王五" not in listing and "赵六" not in listing
    response = client.post("/reports/sheets", data={"department": branch.id, "period": "2026H1"})
    assert response.status_code == 302
    job = db.session.scalars(select(JobRun).where(JobRun.kind == "reports.sheets_zip")).one()
    assert job.status == "succeeded" and job.result == {"sheets": 2}
    download = client.get(f"/reports/sheets/{job.id}.zip")
    assert download.status_code == 200
    data = download.data
    download.close()  # the file response holds the zip open until closed
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == sorted([f"{person.employee.employee_no}_张三_2026H1.pdf", names[1]]) and len(names) == 2
    assert any("李四" in n for n in names)
    assert user.id == job.created_by_id
    colleague = _client_as(app, factories.user(grants=[("hr", branch)]))  # not someone else's zip
    assert colleague.get(f"/reports/sheets/{job.id}.zip").status_code == 404


def test_zip_of_another_scope_is_refused(client, db, login):
    login("hr", scope=factories.department(kind="branch"))
    other = factories.department(kind="branch")
    assert (
        client.post("/reports/sheets", data={"department": other.id, "period": "2026H1"}).status_code == 404
    )
    assert client.get(f"/reports/sheets?department={other.id}").status_code == 404


def test_person_page_links_to_the_sheet_for_hr_only(app, client, db, login):
    branch = factories.department(kind="branch")
    person = person_with_records(department=branch)
    login("hr", scope=branch)
    page = client.get(f"/people/{person.employee.id}").get_data(as_text=True)
    assert f"/reports/people/{person.employee.id}/sheet" in page
    trainer = _client_as(app, factories.user(grants=[("trainer", branch)]))
    page = trainer.get(f"/people/{person.employee.id}").get_data(as_text=True)
    assert "/reports/people/" not in page


def test_leaderboard_names_link_to_sheets_for_hr(app, client, db, login):
    branch = factories.department(kind="branch")
    person = person_with_records(department=branch)
    login("hr", scope=branch)
    page = client.get(f"/incentives/leaderboard?unit={branch.id}&kind=year&period=2026").get_data(
        as_text=True
    )
    assert f'href="/reports/people/{person.employee.id}/sheet"' in page
    colleague = _client_as(app, factories.user(department=branch))
    page = colleague.get(f"/incentives/leaderboard?unit={branch.id}&kind=year&period=2026").get_data(
        as_text=True
    )
    assert "/reports/people/" not in page


def test_exam_results_names_link_to_sheets(client, db, login):
    person = person_with_records()
    login("admin")
    exam_id = db.session.scalars(
        select(Attempt.exam_id).where(Attempt.employee_id == person.employee.id)
    ).first()
    page = client.get(f"/exams/manage/{exam_id}/results").get_data(as_text=True)
    assert f'href="/reports/people/{person.employee.id}/sheet"' in page


def test_sheets_over_several_pages_stay_one_pdf_each(db):
    long_one = person_with_records()
    course = training_factories.course(hours="1", title="一门很长的课程名称，用来把档案撑到第二页")
    for day in range(1, 61):
        completion(long_one.employee, course, (dt.date(2026, 1, 1) + dt.timedelta(days=day)).isoformat())
    short_one = factories.employee(name="李四")
    period = parse_period("2026H1", NOW)
    pdfs = sheets_pdfs(
        [build_sheet(long_one.employee, period, NOW), build_sheet(short_one, period, NOW)], generated_at=NOW
    )
    first, second = (pypdf.PdfReader(io.BytesIO(p)) for p in pdfs)
    assert len(first.pages) >= 2 and len(second.pages) == 1
    assert "李四" in second.pages[0].extract_text()
