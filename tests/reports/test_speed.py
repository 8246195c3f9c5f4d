"""The reports' speed work, pinned by what does not depend on the machine: the number of queries a sheet,
the sheet page and the dashboard cost, and the bulk PDF path (worker processes) still giving each person a
stand-alone PDF of their own pages. The timings themselves are in bench/bench_reports.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile

import pypdf
from sqlalchemy import event

from core.extensions import db
from reports import bundles
from reports.periods import parse_period
from reports.sheet import build_sheets
from tests import factories
from tests.exams import factories as exam_factories
from tests.reports.factories import NOW, attempt, person_with_records


@contextlib.contextmanager
def counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_sheets_cost_the_same_queries_for_one_person_or_many(db):
    team = factories.department()
    people = [person_with_records(department=team).employee] + [
        factories.employee(department=team, name=f"同事{i}") for i in range(6)
    ]
    db.session.flush()
    period = parse_period("2026H1", NOW)
    with counted() as one:
        build_sheets(people[:1], period, NOW)
    with counted() as many:
        sheets = build_sheets(people, period, NOW)
    assert len(many) == len(one) <= 12  # nine parts, three only when there are drills or certificates
    assert [s.employee.name for s in sheets] == [p.name for p in people]
    assert sheets[0].exams and not sheets[1].exams  # each person's own records


def test_department_zip_laid_out_by_worker_processes_gives_each_person_their_own_pages(
    app, db, tmp_path, monkeypatch
):
    team = factories.department()
    people = [person_with_records(department=team).employee] + [
        factories.employee(department=team, name=f"员工{'甲乙丙丁戊'[i]}") for i in range(5)
    ]
    db.session.flush()
    monkeypatch.setattr(bundles, "CHUNK", 2)  # three batches over two processes
    progress = []
    path = tmp_path / "sheets.zip"
    with app.test_request_context():
        count = bundles.write_bundle(
            people, parse_period("2026H1", NOW), NOW, path, lambda *a: progress.append(a[0]), workers=2
        )
    assert count == 6 and progress == [0, 2, 4, 6]
    archive = zipfile.ZipFile(path)
    names = archive.namelist()
    assert [n.split("_")[1] for n in names] == [p.name for p in people]
    for person, name in zip(people, names, strict=True):
        pages = _text(archive.read(name))
        text = "".join(pages)
        assert person.name in text and person.employee_no in text
        assert not [p.name for p in people if p is not person and p.name in text]
        assert "第1页" in pages[0]  # every person's PDF numbers its pages from 1


def _teams(count: int, position, exam):
    branch = factories.department(kind="branch")
    for _ in range(count):
        team = factories.department(parent=branch, kind="team")
        for score in (40, 90):
            attempt(factories.employee(department=team, position=position), exam, "2026-05-05", score)
    db.session.flush()
    return branch


def test_sheet_page_costs_a_fixed_number_of_queries(client, db, login):
    person = person_with_records()
    login("admin")
    client.get(f"/reports/people/{person.employee.id}/sheet?period=2026H1")  # warm the session
    with counted() as statements:
        response = client.get(f"/reports/people/{person.employee.id}/sheet?period=2026H1")
    assert response.status_code == 200
    # sign-in (user, grants), the person with department and position, the sheet's parts (as in
    # build_sheets), the audit entry, the bell; savepoint and release
    assert len(statements) <= 18


def test_dashboard_queries_do_not_grow_with_departments(client, db, login):
    login("admin")
    position = person_with_records().employee.position  # a post with required certificates and hours
    exam = exam_factories.exam()
    counts = []
    client.get("/reports/readiness?kind=quarter")  # the first visit writes the default settings
    for size in (2, 6):
        branch = _teams(size, position, exam)
        with counted() as statements:
            response = client.get(f"/reports/readiness?unit={branch.id}&kind=quarter")
        assert response.status_code == 200
        counts.append(len(statements))
    # each measure is one or two grouped queries for all 8 quarters and every department; the drills board
    # a few more; sign-in, settings, audit and the bell the rest
    assert counts[0] == counts[1] <= 21


def test_pdfs_use_the_lean_user_agent_rules():
    from core import pdf

    lean = pdf._lean_ua_stylesheet()
    assert lean is not None  # WeasyPrint still exposes its rules; else every PDF falls back to the full set
    assert pdf._html("<p>x</p>")._ua_stylesheets()[0] is lean


def test_assignment_job_statements_do_not_grow_with_the_people_added(db):
    """The nightly job's first night adds and notifies everyone due: enrolments, their audit entries, the
    once-records and the notices go in multi-row inserts, so 40 people cost hardly more than 4 (before the bulk
    notices each person's notice was an insert in its own savepoint: three statements a person). Bulk inserts
    go in batches of ``BULK_PAGE`` rows."""
    from core.notifications import BULK_PAGE
    from reports.assignment import run_rule
    from reports.models import AssignmentRule
    from tests.training import factories as training_factories

    def night(size):
        position = factories.position()
        course = training_factories.course()
        team = factories.department()
        for _ in range(size):
            factories.user(department=team, position=position)
        training_factories.session(course, department=team, start=NOW + dt.timedelta(days=10))
        rule = AssignmentRule(
            name="年度复训", kind="course", position_id=position.id, course_id=course.id, every_months=12
        )
        db.session.add(rule)
        db.session.flush()
        with counted() as statements:
            assert run_rule(rule, NOW) == size
            db.session.flush()
        return statements

    few, many = night(4), night(40)
    assert len(few) <= 16
    # 36 more people: at most one more batch each for the once-records, enrolments and notices
    assert len(many) - len(few) <= 3 * (36 // BULK_PAGE + 1)
