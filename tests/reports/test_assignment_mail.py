"""The assignment job's bulk notices still reach people by e-mail when SMTP is configured (the address is
the employee's, loaded with the accounts), after the commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.notifications import Notification
from reports.assignment import run_rule
from reports.models import AssignmentRule
from tests import factories
from tests.reports.factories import NOW
from tests.training import factories as training_factories


def test_assignment_notice_goes_by_email_after_commit(app, db, smtp_server):
    position = factories.position()
    course = training_factories.course(title="安全规程")
    team = factories.department()
    person = factories.user(department=team, position=position, email="due@example.com")
    training_factories.session(course, department=team, start=NOW + dt.timedelta(days=10))
    rule = AssignmentRule(
        name="年度复训", kind="course", position_id=position.id, course_id=course.id, every_months=12
    )
    db.session.add(rule)
    db.session.flush()
    with app.test_request_context("/"):
        assert run_rule(rule, NOW) == 1
        (note,) = db.session.scalars(select(Notification).where(Notification.user_id == person.id)).all()
        assert note.email_to == "due@example.com"
        assert smtp_server.messages == []
        db.session.commit()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["due@example.com"]]
