"""Lifecycle guards, signals, evaluator isolation and the result."""

import datetime as dt
from decimal import Decimal

import pytest

from core import signals
from core.extensions import db
from drills import assessment, improvement, services
from drills.errors import DrillError
from drills.evaluation_models import ActionStatus, FormStatus, Severity
from drills.models import ContentType, DrillStatus, PlanVersionStatus, Tier
from tests import factories as base
from tests.drills.factories import evaluating_drill, evaluator_forms, rate_all, ready_drill


@pytest.fixture
def captured():
    events = []

    def listen(name):
        def receiver(sender, **kwargs):
            events.append((name, sender, kwargs))

        return receiver

    receivers = {
        "participated": listen("participated"),
        "evaluated": listen("evaluated"),
        "closed": listen("closed"),
    }
    signals.drill_participated.connect(receivers["participated"])
    signals.drill_evaluated.connect(receivers["evaluated"])
    signals.corrective_action_closed.connect(receivers["closed"])
    yield events
    signals.drill_participated.disconnect(receivers["participated"])
    signals.drill_evaluated.disconnect(receivers["evaluated"])
    signals.corrective_action_closed.disconnect(receivers["closed"])


def test_approval_needs_director_evaluator_players_and_scenario():
    drill = ready_drill(evaluators=0)
    with pytest.raises(DrillError, match="评估员|evaluator"):
        services.approve(drill, None, drill.starts_at)
    assert drill.status == DrillStatus.PLANNED
    services.add_participant(drill, base.employee(), "evaluator")
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=1))
    assert drill.status == DrillStatus.APPROVED and drill.lead_evaluator_id is not None


def test_cannot_record_a_drill_before_it_starts():
    drill = ready_drill()
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=3))
    with pytest.raises(DrillError):
        services.record_conducted(
            drill, {p.id for p in drill.participants}, drill.starts_at - dt.timedelta(minutes=1)
        )


def test_conducted_sends_participation_with_hours(captured):
    drill = ready_drill(players=2)
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=3))
    absent = next(p for p in drill.participants if p.role == "player")
    services.record_conducted(drill, {p.id for p in drill.participants if p is not absent}, drill.ends_at)
    sent = [kw for name, _s, kw in captured if name == "participated"]
    assert len(sent) == len(drill.participants) - 1
    assert absent.employee not in [kw["employee"] for kw in sent]
    first = sent[0]
    assert first["hours"] == Decimal("2.5") and first["drill"] is drill
    assert first["source_key"] == f"drill:{drill.id}:employee:{first['employee'].id}"
    assert first["now"] == drill.ends_at


def test_cancel_needs_a_reason():
    drill = ready_drill()
    with pytest.raises(DrillError):
        services.cancel(drill, "  ", drill.starts_at)
    services.cancel(drill, "台风预警，改期", drill.starts_at)
    assert drill.status == DrillStatus.CANCELLED


def test_evaluator_cannot_edit_a_submitted_form():
    drill = evaluating_drill()
    form = evaluator_forms(drill)[0]
    rate_all(drill, form, "P")
    assert form.status == FormStatus.SUBMITTED
    with pytest.raises(DrillError):
        assessment.save_form(form, {}, strengths="", remarks="", submit=False, now=drill.ends_at)


def test_evaluator_sees_others_only_after_submitting():
    drill = evaluating_drill()
    first, second = evaluator_forms(drill)
    assert not assessment.may_see_others(drill, first.evaluator_id)
    assert not assessment.can_read_form(second, first.evaluator_id)
    assert assessment.can_read_form(first, first.evaluator_id)
    rate_all(drill, first, "S")
    assert assessment.can_read_form(second, first.evaluator_id)
    assert not assessment.may_see_others(drill, second.evaluator_id)


def test_comment_required_for_m_and_u_and_all_rated_on_submit():
    drill = evaluating_drill()
    form = evaluator_forms(drill)[0]
    criteria = assessment.applicable_criteria(drill)
    problems = assessment.save_form(
        form, {criteria[0].id: ("M", "")}, strengths="", remarks="", submit=False, now=drill.ends_at
    )
    assert any("M" in p for p in problems)
    problems = assessment.save_form(
        form, {criteria[0].id: ("S", "")}, strengths="", remarks="", submit=True, now=drill.ends_at
    )
    assert problems and form.status == FormStatus.DRAFT
    assert form.ratings == []  # nothing saved on error


def test_checklist_item_accepts_only_yes_no_or_na():
    drill = evaluating_drill()
    form = evaluator_forms(drill)[0]
    checklist = next(c for c in assessment.applicable_criteria(drill) if c.checklist)
    problems = assessment.save_form(
        form, {checklist.id: ("S", "")}, strengths="", remarks="", submit=False, now=drill.ends_at
    )
    assert problems


def test_disagreement_must_be_settled_by_the_lead(captured):
    drill = evaluating_drill()
    first, second = evaluator_forms(drill)
    rate_all(drill, first, "P")
    rate_all(drill, second, "P", overrides={"B3": "M"})
    view = next(v for v in assessment.consolidated(drill) if v.criterion.code == "B3")
    assert view.flagged and view.median == "M"  # even count: the lower of P and M
    drill.summary = "总结"
    with pytest.raises(DrillError, match="B3"):
        assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=2))
    other = first.evaluator if drill.lead_evaluator_id == second.evaluator_id else second.evaluator
    with pytest.raises(DrillError):
        assessment.settle(drill, view.criterion, "S", "复核录像", other, drill.ends_at)
    with pytest.raises(DrillError):
        assessment.settle(drill, view.criterion, "S", "", drill.lead_evaluator, drill.ends_at)
    assessment.settle(drill, view.criterion, "S", "复核录像后取S", drill.lead_evaluator, drill.ends_at)
    result = assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=2))
    assert drill.status == DrillStatus.REPORTED and drill.score == result.score
    sent = [kw for name, _s, kw in captured if name == "evaluated"]
    assert sent and sent[0]["tier"] == drill.tier and sent[0]["score"] == drill.score
    assert len(sent[0]["participants"]) == len({p.employee_id for p in drill.participants})


def test_self_assessment_is_stored_with_weight_zero():
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P")
    player = next(p for p in drill.participants if p.role == "player")
    own = assessment.self_form(drill, player.employee)
    rate_all(drill, own, "U")
    assert assessment.current_result(drill).score == Decimal("100.00")
    view = assessment.consolidated(drill)[0]
    assert [lv for _e, lv, _c in view.self_ratings] == ["U"]


def test_groups_outside_the_content_types_are_not_on_the_form():
    drill = evaluating_drill(content=[ContentType.RESPONSE.value])
    codes = {c.group.code for c in assessment.applicable_criteria(drill)}
    assert "F" not in codes and "G" not in codes and {"A", "D", "H"} <= codes


def _reported(**kwargs):
    drill = evaluating_drill(**kwargs)
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P", overrides={"C1": "U"})
    drill.summary = "总结"
    improvement.draft_findings(drill, drill.ends_at + dt.timedelta(days=1))
    assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=2))
    return drill


def test_critical_u_reports_as_fail_with_a_deficiency():
    drill = _reported()
    assert drill.tier == Tier.FAIL and drill.critical_failure
    c1 = next(f for f in services.findings_of(drill) if f.criterion_code == "C1")
    assert c1.severity == Severity.DEFICIENCY


def test_improvement_and_close_guards(captured):
    drill = _reported()
    now = drill.ends_at + dt.timedelta(days=3)
    with pytest.raises(DrillError, match="C1"):
        services.start_improvement(drill, now)
    finding = next(f for f in services.findings_of(drill) if f.criterion_code == "C1")
    owner = base.employee()
    action = improvement.assign_action(
        finding, owner=owner, description="修订分级标准", due_date=None, actor=None, now=now
    )
    assert action.due_date == now.date() + dt.timedelta(days=30)
    services.start_improvement(drill, now)
    with pytest.raises(DrillError) as error:
        services.close(drill, now)
    assert "C1" in str(error.value)
    # C1 (研判与分级) suggests 预案: a plan-revision decision is recorded with a draft revision when the element is the plan
    improvement.set_severity(finding, Severity.DEFICIENCY, "plan", now)
    assert drill.plan_decision == "revise"
    assert any(v.status == PlanVersionStatus.DRAFT for v in drill.plan.versions)
    for step in (ActionStatus.IN_PROGRESS, ActionStatus.SUBMITTED):
        improvement.change_status(
            action, step, actor=owner, is_manager=False, evidence="新版分级标准", now=now
        )
    manager = base.employee()
    improvement.change_status(action, ActionStatus.VERIFIED, actor=manager, is_manager=True, now=now)
    improvement.change_status(action, ActionStatus.CLOSED, actor=manager, is_manager=True, now=now)
    closed = [kw for name, _s, kw in captured if name == "closed"]
    assert closed == [
        {"owner": owner, "on_time": True, "source_key": f"drill-action:{action.id}", "now": now}
    ]
    services.close(drill, now)
    assert drill.status == DrillStatus.CLOSED


def test_close_needs_a_plan_decision():
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P")
    drill.summary = "总结"
    assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=1))
    services.start_improvement(drill, drill.ends_at + dt.timedelta(days=1))
    with pytest.raises(DrillError):
        services.close(drill, drill.ends_at + dt.timedelta(days=2))
    with pytest.raises(DrillError):
        services.record_plan_decision(drill, "no_change", "", drill.ends_at)
    services.record_plan_decision(drill, "no_change", "预案适用", drill.ends_at)
    services.close(drill, drill.ends_at + dt.timedelta(days=2))
    assert drill.status == DrillStatus.CLOSED
    db.session.flush()
