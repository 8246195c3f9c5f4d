"""The reports' speed work, pinned by what does not depend on the machine: the number of queries a sheet,
the sheet page and the dashboard cost, and the bulk PDF path (worker processes) still giving each person a
stand-alone PDF of their own pages. The timings themselves are in bench/bench_reports.py."""

from __future__ import annotations

import contextlib
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
from tests.reports.factories import NOW, person_with_records


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
