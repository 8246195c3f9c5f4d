"""Severity suggestions, escalation of 整改项 to 不足项, due dates, the action workflow and reminders."""

import datetime as dt

import pytest

from core.extensions import db
from core.notifications import Notification
from drills import assessment, improvement, reminders, services
from drills.errors import DrillError
from drills.evaluation_models import ActionStatus, FindingKind, Severity
from tests import factories as base
from tests.drills.factories import evaluating_drill, evaluator_forms, local, plan, rate_all, unit


def _rated(overrides, **kwargs):
    drill = evaluating_drill(**kwargs)
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P", overrides=overrides)
    improvement.draft_findings(drill, drill.ends_at + dt.timedelta(days=1))
    return drill


def _by_code(drill):
    return {f.criterion_code: f for f in services.findings_of(drill) if f.criterion_code}


def test_findings_drafted_with_suggested_severities():
    drill = _rated({"A1": "S", "B3": "M", "E3": "U"})
    found = _by_code(drill)
    assert found["A1"].severity == Severity.IMPROVEMENT
    assert found["B3"].severity == Severity.CORRECTIVE
    assert found["E3"].severity == Severity.DEFICIENCY  # critical U
    assert found["E3"].suggested_severity == Severity.DEFICIENCY
    strengths = [f for f in services.findings_of(drill) if f.kind == FindingKind.STRENGTH]
    assert any(f.group_code == "D" for f in strengths)  # every D criterion rated P
    improvement.draft_findings(drill, drill.ends_at)  # idempotent
    assert len(services.findings_of(drill)) == len(found) + len(strengths)


def test_two_corrective_items_in_one_group_become_deficiencies():
    drill = _rated({"B1": "M", "B3": "M", "C2": "M"})
    found = _by_code(drill)
    assert found["B1"].severity == found["B3"].severity == Severity.DEFICIENCY
    assert "B" in found["B1"].escalation_reason
    assert found["C2"].severity == Severity.CORRECTIVE
    assert found["B1"].suggested_severity == Severity.CORRECTIVE  # the suggestion stays on record


def test_corrective_item_recurring_at_the_next_drill_becomes_a_deficiency():
    u, p = unit(), plan()
    first = _rated({"C2": "M"}, unit_=u, plan_=p, when="2026-03-10 09:00")
    assert _by_code(first)["C2"].severity == Severity.CORRECTIVE
    second = _rated({"C2": "M", "F2": "M"}, unit_=u, plan_=plan(), when="2026-09-10 09:00")
    found = _by_code(second)
    assert found["C2"].severity == Severity.DEFICIENCY and "C2" in found["C2"].escalation_reason
    assert found["F2"].severity == Severity.CORRECTIVE


def test_deficiency_against_the_plan_opens_a_plan_revision():
    drill = _rated({"C1": "U"})
    finding = _by_code(drill)["C1"]
    assert finding.element == "plan" and finding.plan_version_id is not None
    assert [v.number for v in drill.plan.versions] == [1, 2]
    assert drill.plan_decision == "revise"
    with pytest.raises(DrillError):
        services.record_plan_decision(drill, "no_change", "不改", drill.ends_at)


def test_manual_finding_validation():
    drill = evaluating_drill()
    with pytest.raises(DrillError):
        improvement.add_finding(
            drill, kind="improvement", severity=None, element="plan", title="x", now=drill.ends_at
        )
    with pytest.raises(DrillError):
        improvement.add_finding(
            drill, kind="improvement", severity="corrective", element="weather", title="x", now=drill.ends_at
        )
    with pytest.raises(DrillError):
        improvement.add_finding(
            drill, kind="strength", severity=None, element="plan", title=" ", now=drill.ends_at
        )
    f = improvement.add_finding(
        drill, kind="strength", severity="deficiency", element="people", title="响应迅速", now=drill.ends_at
    )
    assert f.severity is None


def test_corrective_item_due_before_the_units_next_drill():
    u, p = unit(), plan()
    drill = _rated({"C2": "M"}, unit_=u, plan_=p, when="2026-03-10 09:00")
    services.plan_drill(
        unit=u,
        plan=plan(),
        title="下次演练",
        starts_at=local("2026-09-15 09:00"),
        ends_at=local("2026-09-15 12:00"),
        content_types=["response"],
        form="live",
        scope="full",
        purpose="testing",
        now=drill.ends_at,
    )
    finding = _by_code(drill)["C2"]
    assert improvement.default_due_date(finding, dt.date(2026, 3, 20)) == dt.date(2026, 9, 14)


def test_corrective_item_without_a_next_drill_is_due_at_the_end_of_next_half_year():
    drill = _rated({"C2": "M"})
    assert improvement.default_due_date(_by_code(drill)["C2"], dt.date(2026, 3, 20)) == dt.date(2026, 12, 31)


def _action(drill, code="E3"):
    owner = base.user(department=drill.unit).employee
    finding = _by_code(drill)[code]
    return improvement.assign_action(
        finding,
        owner=owner,
        description="整改",
        due_date=dt.date(2026, 4, 30),
        actor=None,
        now=local("2026-03-20 10:00"),
    )


def test_action_workflow_and_reasons():
    drill = _rated({"E3": "U"})
    action = _action(drill)
    owner, manager = action.owner, base.employee()
    now = local("2026-03-21 10:00")
    with pytest.raises(DrillError):
        improvement.change_status(action, ActionStatus.VERIFIED, actor=owner, is_manager=False, now=now)
    with pytest.raises(DrillError):
        improvement.change_status(
            action, ActionStatus.DEFERRED, actor=manager, is_manager=True, reason="", now=now
        )
    with pytest.raises(DrillError):
        improvement.change_status(
            action,
            ActionStatus.DEFERRED,
            actor=manager,
            is_manager=True,
            reason="物资未到",
            new_due=dt.date(2026, 4, 1),
            now=now,
        )
    improvement.change_status(
        action,
        ActionStatus.DEFERRED,
        actor=manager,
        is_manager=True,
        reason="物资未到",
        new_due=dt.date(2026, 5, 31),
        now=now,
    )
    assert action.due_date == dt.date(2026, 5, 31)
    improvement.change_status(action, ActionStatus.IN_PROGRESS, actor=manager, is_manager=True, now=now)
    with pytest.raises(DrillError):
        improvement.change_status(
            action, ActionStatus.SUBMITTED, actor=owner, is_manager=False, evidence=" ", now=now
        )
    improvement.change_status(
        action, ActionStatus.SUBMITTED, actor=owner, is_manager=False, evidence="照片", now=now
    )
    with pytest.raises(DrillError):
        improvement.change_status(
            action, ActionStatus.IN_PROGRESS, actor=manager, is_manager=True, reason="", now=now
        )
    improvement.change_status(
        action, ActionStatus.IN_PROGRESS, actor=manager, is_manager=True, reason="证据不足", now=now
    )
    assert [e.to_status for e in action.events] == [
        "assigned",
        "deferred",
        "in_progress",
        "submitted",
        "in_progress",
    ]
    assert action.events[1].reason == "物资未到"


def _notes(user, kind):
    return db.session.query(Notification).filter_by(user_id=user.id, kind=kind).count()


def test_reminders_before_due_weekly_overdue_then_to_managers():
    drill = _rated({"E3": "U"})
    action = _action(drill)  # due 2026-04-30
    owner = action.owner.user
    trainer = base.user(grants=[("trainer", drill.unit)])
    reminders.send_action_reminders(local("2026-04-22 08:00"))  # 8 days before: nothing
    assert _notes(owner, "drill.action_due") == 0
    reminders.send_action_reminders(local("2026-04-23 08:00"))  # 7 days before
    reminders.send_action_reminders(local("2026-04-24 08:00"))
    assert _notes(owner, "drill.action_due") == 1
    reminders.send_action_reminders(local("2026-05-01 08:00"))  # overdue: first weekly reminder
    reminders.send_action_reminders(local("2026-05-05 08:00"))  # within the week: none
    assert _notes(owner, "drill.action_overdue") == 1
    assert _notes(trainer, "drill.action_escalated") == 0
    reminders.send_action_reminders(local("2026-05-08 08:00"))  # a week on: owner and managers
    assert _notes(owner, "drill.action_overdue") == 2
    assert _notes(trainer, "drill.action_escalated") == 1
    director = drill.director
    assert director.user is None or _notes(director.user, "drill.action_escalated") == 1


def test_managers_are_the_nearest_scoped_trainers_and_hr():
    parent = unit(kind="company")
    branch = unit(parent=parent)
    drill = _rated({"E3": "U"}, unit_=branch)
    action = _action(drill)
    near = base.user(grants=[("hr", branch)])
    far = base.user(grants=[("trainer", parent)])
    company = base.user(grants=[("trainer", None)])
    managers = reminders.owner_managers(action)
    assert near in managers and far not in managers and company not in managers


def test_rejected_action_needs_a_reason_and_ends_it():
    drill = _rated({"B3": "M"})
    action = _action(drill, "B3")
    improvement.change_status(
        action,
        ActionStatus.REJECTED,
        actor=base.employee(),
        is_manager=True,
        reason="重复项",
        now=local("2026-03-22 10:00"),
    )
    assert action.status == ActionStatus.REJECTED and action.closed_at is not None
    assert services.missing_actions(drill) == [_by_code(drill)["B3"].title]
    assessment.forms_of(drill)
