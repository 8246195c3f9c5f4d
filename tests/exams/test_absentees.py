"""Absentees (缺考): the list after the window closes, its xlsx export, and the make-up round made from it
on the existing re-sit rounds."""

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEntry
from core.models import utcnow
from core.timeutil import to_local
from exams import runtime, services
from exams.models import Exam
from tests import factories as base
from tests.exams import factories as f

HOUR = dt.timedelta(hours=1)


def _closed_exam_with_three(db):
    """One absent, one failed, one passed; the window closed an hour ago."""
    now = utcnow()
    q = f.question("single")
    exam = f.exam(f.blueprint([q]), opens_at=now - 5 * HOUR, closes_at=now + HOUR)
    absent = f.candidate(exam, name="缺考者")
    failed, passed = f.candidate(exam), f.candidate(exam)
    for user, answer in ((failed, "B"), (passed, "A")):
        attempt = runtime.start_attempt(exam, user.employee, now - 2 * HOUR)
        runtime.save_answer(attempt.id, user.employee_id, 1, 1, {"choice": [answer]}, now - 2 * HOUR)
        runtime.submit_attempt(attempt, now - 2 * HOUR)
    exam.closes_at = now - HOUR
    db.session.flush()
    return exam, absent, failed, passed


def test_absentees_list_export_and_make_up_round_for_absentees_only(signed_in, db):
    exam, absent, failed, passed = _closed_exam_with_three(db)
    owner = base.user(grants=[("trainer", None)])
    client = signed_in(owner)
    page = client.get(f"/exams/manage/{exam.id}/absentees").get_data(as_text=True)
    assert "缺考者" in page and failed.employee.name not in page and passed.employee.name not in page
    export = client.get(f"/exams/manage/{exam.id}/absentees?format=xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert [c.value for c in sheet[2]][:2] == [absent.employee.employee_no, "缺考者"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.absentees_export"))
    opens = to_local(utcnow() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    closes = to_local(utcnow() + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/exams/manage/{exam.id}/absentees/makeup",
        data={"opens_at": opens, "closes_at": closes, "absentees": "y"},
    )
    assert response.status_code == 302
    resit = db.session.scalar(select(Exam).where(Exam.parent_exam_id == exam.id))
    assert resit is not None and not resit.published
    assert services.in_audience(resit, absent.employee)
    assert not services.in_audience(resit, failed.employee)  # absentees only
    assert not services.in_audience(resit, passed.employee)


def test_make_up_round_for_absentees_and_the_failed(signed_in, db):
    exam, absent, failed, passed = _closed_exam_with_three(db)
    owner = base.user(grants=[("trainer", None)])
    client = signed_in(owner)
    opens = to_local(utcnow() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    closes = to_local(utcnow() + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    data = {"opens_at": opens, "closes_at": closes, "absentees": "y", "failed": "y"}
    assert client.post(f"/exams/manage/{exam.id}/absentees/makeup", data=data).status_code == 302
    resit = db.session.scalar(select(Exam).where(Exam.parent_exam_id == exam.id))
    assert services.in_audience(resit, absent.employee) and services.in_audience(resit, failed.employee)
    assert not services.in_audience(resit, passed.employee)
    # The monitor of the round lists exactly those two.
    invigilator = base.user()
    services.set_invigilators(resit, [invigilator], owner)
    rows = signed_in(invigilator).get(f"/api/exams/{resit.id}/monitor").get_json()["rows"]
    assert {r["employee_id"] for r in rows} == {absent.employee_id, failed.employee_id}
    # Nobody at all: refused.
    refused = client.post(
        f"/exams/manage/{exam.id}/absentees/makeup", data={"opens_at": opens, "closes_at": closes}
    )
    assert refused.status_code == 302
    assert len(db.session.scalars(select(Exam).where(Exam.parent_exam_id == exam.id)).all()) == 1


def test_an_invigilator_reads_the_absentees_but_cannot_create_the_round(signed_in, db):
    exam, *_ = _closed_exam_with_three(db)
    owner = base.user(grants=[("trainer", None)])
    invigilator = base.user()
    services.set_invigilators(exam, [invigilator], owner)
    client = signed_in(invigilator)
    assert client.get(f"/exams/manage/{exam.id}/absentees").status_code == 200
    opens = to_local(utcnow() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    closes = to_local(utcnow() + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    data = {"opens_at": opens, "closes_at": closes, "absentees": "y"}
    assert client.post(f"/exams/manage/{exam.id}/absentees/makeup", data=data).status_code in (403, 404)
