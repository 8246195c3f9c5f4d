"""``flask drills ...`` commands and the report-due reminders."""

import datetime as dt

from core.extensions import db
from core.notifications import Notification
from drills import planner
from drills.models import DrillStatus
from tests.drills.factories import bare_drill, evaluating_drill, plan, unit


def test_compliance_command_prints_the_board(app):
    u = unit(name="测试分公司")
    bare_drill(u, plan(), "2026-03-01 09:00")
    result = app.test_cli_runner().invoke(args=["drills", "compliance", "--half", "2026H1"])
    assert result.exit_code == 0, result.output
    assert "测试分公司" in result.output and "GREEN" in result.output
    assert "R1" in result.output


def test_compliance_command_rejects_a_bad_half_year(app):
    result = app.test_cli_runner().invoke(args=["drills", "compliance", "--half", "2026H3"])
    assert result.exit_code != 0 and "2026H3" in result.output


def test_notify_command_is_safe_to_run_twice(app):
    unit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["drills", "notify"])
    second = runner.invoke(args=["drills", "notify"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "compliance notices: 0" in second.output


def test_plan_next_command_lists_proposals(app):
    unit(name="规划分公司")
    plan()
    result = app.test_cli_runner().invoke(args=["drills", "plan-next", "--half", "2027H1"])
    assert result.exit_code == 0 and "规划分公司" in result.output


def test_report_reminders_once_due_soon_and_once_overdue():
    drill = evaluating_drill(when="2026-03-10 09:00")
    director = drill.director
    lead = drill.lead_evaluator
    assert drill.status == DrillStatus.EVALUATING and lead.user is not None

    def count(kind):
        return db.session.query(Notification).filter_by(user_id=lead.user.id, kind=kind).count()

    planner.send_report_reminders(dt.datetime(2026, 3, 20, 1, tzinfo=dt.UTC))  # due 25 March: 5 days
    assert count("drill.report_due") == 0
    planner.send_report_reminders(dt.datetime(2026, 3, 22, 1, tzinfo=dt.UTC))
    planner.send_report_reminders(dt.datetime(2026, 3, 23, 1, tzinfo=dt.UTC))
    assert count("drill.report_due") == 1
    planner.send_report_reminders(dt.datetime(2026, 3, 26, 1, tzinfo=dt.UTC))
    planner.send_report_reminders(dt.datetime(2026, 3, 27, 1, tzinfo=dt.UTC))
    assert count("drill.report_overdue") == 1
    assert director.user is None  # the factory's director has no account: nobody else is told
