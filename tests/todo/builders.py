"""One employee with something of every kind to do, each dated so the to-do order is known."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.timeutil import LOCAL_TZ, local_date
from drills import services as drill_services
from drills.evaluation_models import ActionStatus, CorrectiveAction, Finding
from incentives.models import Appeal, AppealStatus
from tests import factories
from tests.drills import factories as drills_f
from tests.exams import factories as exams_f
from tests.incentives import factories as incentives_f
from tests.training import factories as training_f
from training.course_sessions import self_enrol
from training.qualifications import grant_qualification

NOW = drills_f.local("2026-06-01 10:00")


def _local_text(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def upcoming_drill_role(user, *, now: dt.datetime = NOW, days: int = 3):
    """An approved drill ``days`` ahead in which ``user`` plays, role not yet confirmed."""
    drill = drills_f.ready_drill(when=_local_text(now + dt.timedelta(days=days)))
    drill_services.add_participant(drill, user.employee, "player")
    drill_services.approve(drill, None, now - dt.timedelta(days=1))
    return drill


def everything_to_do(user, now: dt.datetime = NOW) -> dict:
    """One of each to-do item for ``user`` around ``now``: an overdue action (due two days ago), an
    appeal answered two days ago (at ``now``'s time), a session tomorrow, an exam closing in two days, a
    drill in four days, a certificate expiring in about twenty days."""
    NOW = now  # noqa: N806 — the dates below read relative to it
    employee = user.employee
    today = local_date(now)
    exam = exams_f.exam(
        audience_employees=[employee],
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=2),
    )
    session = training_f.session(start=NOW + dt.timedelta(days=1), hours=3)
    self_enrol(session, employee, now=NOW)
    cert_type = training_f.certificate_type(months=12)
    record = grant_qualification(
        employee,
        cert_type,
        source_key="todo-test",
        issued_on=(today + dt.timedelta(days=20)).replace(year=today.year - 1),
        now=NOW - dt.timedelta(days=340),
    )
    drill = upcoming_drill_role(user, now=now, days=4)
    finding = Finding(drill=drill, title="通讯不畅", severity="corrective")
    db.session.add(finding)
    db.session.flush()
    action = CorrectiveAction(
        finding=finding,
        owner=employee,
        unit=drill.unit,
        description="更新应急通讯录",
        due_date=today - dt.timedelta(days=2),  # overdue
        status=ActionStatus.ASSIGNED,
    )
    db.session.add(action)
    rule = incentives_f.rule("TD")
    entry = incentives_f.entry(employee, rule, Decimal(5), when=NOW - dt.timedelta(days=10))
    appeal = Appeal(
        entry=entry,
        employee_id=employee.id,
        reason="积分算错了",
        status=AppealStatus.DISMISSED,
        filed_at=NOW - dt.timedelta(days=5),
        resolved_at=NOW - dt.timedelta(days=2),
        resolution="核实无误",
        resolved_by=factories.user(),
    )
    db.session.add(appeal)
    db.session.flush()
    return {
        "exam": exam,
        "session": session,
        "record": record,
        "drill": drill,
        "action": action,
        "appeal": appeal,
    }
