"""Rule-based assignment: preview, idempotent nightly runs, a new position's rules the same night, renewal
exams before expiry, the record of who was added and why, notices and the audit entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db as _db
from core.notifications import Notification
from exams.models import ExamAudience
from reports.assignment import add_months, candidates, run_all, run_rule
from reports.models import AssignmentRecord, AssignmentRule
from tests import factories
from tests.exams import factories as exam_factories
from tests.reports.factories import NOW, completion
from tests.training import factories as training_factories
from training.models import Enrolment
from training.qualifications import grant_qualification


def _course_rule(position, course, months=12, enabled=True):
    rule = AssignmentRule(
        name="安全规程年度复训",
        kind="course",
        position_id=position.id,
        course_id=course.id,
        every_months=months,
        enabled=enabled,
    )
    _db.session.add(rule)
    _db.session.flush()
    return rule


def test_course_rule_preview_run_and_idempotence(db):
    root = factories.department(kind="company")
    team = factories.department(parent=root)
    position, other_position = factories.position(), factories.position()
    course = training_factories.course(title="安全规程")
    never = factories.user(department=team, position=position).employee
    lapsed = factories.employee(department=team, position=position)
    fresh = factories.employee(department=team, position=position)
    mover = factories.employee(department=team, position=other_position)
    completion(lapsed, course, "2025-06-01")
    completion(fresh, course, "2026-05-01")
    session = training_factories.session(course, department=root, start=NOW + dt.timedelta(days=10))
    rule = _course_rule(position, course, enabled=False)

    preview = candidates(rule, NOW)
    assert {(c.employee_id, c.cycle_key) for c in preview} == {
        (never.id, "first"),
        (lapsed.id, "due:2026-06-01"),
    }
    assert db.session.scalars(select(Enrolment)).all() == []  # a preview writes nothing

    assert run_rule(rule, NOW) == 2
    enrolled = {
        e.employee_id for e in db.session.scalars(select(Enrolment).where(Enrolment.session_id == session.id))
    }
    assert enrolled == {never.id, lapsed.id}
    assert run_rule(rule, NOW) == 0  # nobody twice
    assert run_rule(rule, NOW + dt.timedelta(days=1)) == 0
    records = db.session.scalars(select(AssignmentRecord).order_by(AssignmentRecord.employee_id)).all()
    assert [(r.employee_id, r.target, r.reason) for r in records] == [
        (never.id, f"session:{session.id}", ""),
        (lapsed.id, f"session:{session.id}", "2025-06-01"),
    ]
    notices = db.session.scalars(select(Notification).where(Notification.kind == "reports.assigned")).all()
    assert [n.user_id for n in notices] == [never.user.id]
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.assignment_run")
    ).all()
    assert entry.details["added"] == 2
    created = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.create")).all()
    assert sorted(e.subject_employee_id for e in created) == sorted([never.id, lapsed.id])  # one per person
    assert {e.details["session_id"] for e in created} == {session.id}
    assert {e.object_id for e in created} == {
        str(e.id) for e in db.session.scalars(select(Enrolment).where(Enrolment.session_id == session.id))
    }

    mover.position_id = position.id  # changes position during the day
    db.session.flush()
    rule.enabled = True
    assert run_all(NOW + dt.timedelta(days=1)) == {rule.id: 1}


def test_people_wait_for_a_session(db):
    position = factories.position()
    course = training_factories.course()
    person = factories.employee(position=position)
    rule = _course_rule(position, course)
    (waiting,) = candidates(rule, NOW)
    assert waiting.target is None
    assert run_rule(rule, NOW) == 0
    training_factories.session(course, department=person.department, start=NOW + dt.timedelta(days=3))
    assert run_rule(rule, NOW) == 1


def test_renewal_exam_before_expiry(db):
    ctype = training_factories.certificate_type(months=12)
    exam = exam_factories.exam(title="复审考试")
    soon = factories.employee()
    later = factories.employee()
    grant_qualification(
        soon, ctype, source_key="t:soon", issued_on=dt.date(2025, 9, 1), now=NOW
    )  # ends 2026-08-31
    grant_qualification(later, ctype, source_key="t:later", issued_on=dt.date(2026, 6, 1), now=NOW)
    rule = AssignmentRule(
        name="复审",
        kind="renewal",
        certificate_type_id=ctype.id,
        exam_id=exam.id,
        days_before=90,
        enabled=True,
    )
    db.session.add(rule)
    db.session.flush()
    assert run_rule(rule, NOW) == 1
    audience = db.session.scalars(select(ExamAudience.target_id).where(ExamAudience.exam_id == exam.id)).all()
    assert audience == [soon.id]
    assert db.session.scalar(select(AuditEntry.object_type).where(AuditEntry.action == "examaudience.create"))
    assert run_rule(rule, NOW) == 0


def test_add_months_keeps_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 12) == dt.date(2026, 11, 15)


def test_pages_preview_then_enable(client, db, login):
    position = factories.position()
    course = training_factories.course()
    person = factories.employee(position=position, name="周六")
    training_factories.session(course, department=person.department, start=NOW + dt.timedelta(days=400))
    login("admin")
    response = client.post(
        "/reports/assignments",
        data={
            "name": "年度复训",
            "kind": "course",
            "position_id": position.id,
            "course_id": course.id,
            "every_months": 12,
            "certificate_type_id": 0,
            "exam_id": 0,
            "days_before": 90,
        },
    )
    assert response.status_code == 302
    rule = db.session.scalars(select(AssignmentRule)).one()
    assert rule.enabled is False
    page = client.get(f"/reports/assignments/{rule.id}").get_data(as_text=True)
    assert "周六" in page and "从未完成" in page
    client.post(f"/reports/assignments/{rule.id}/enabled")
    db.session.refresh(rule)
    assert rule.enabled is True


def test_scoped_hr_cannot_make_rules(client, db, login):
    login("hr", scope=factories.department(kind="branch"))
    response = client.post(
        "/reports/assignments",
        data={
            "name": "x",
            "kind": "course",
            "position_id": 0,
            "course_id": 0,
            "certificate_type_id": 0,
            "exam_id": 0,
        },
    )
    assert response.status_code == 403
