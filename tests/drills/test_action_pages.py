"""The corrective-action pages as a trainer and an action owner see them: who made each change, the overdue
mark, only the fields the possible steps need, the finding's recommendation, and a blocked close."""

import datetime as dt

from core.extensions import db
from drills import assessment, improvement, services
from drills.evaluation_models import ActionStatus
from tests import factories as base
from tests.drills.factories import evaluating_drill, evaluator_forms, local, rate_all


def _improving_drill_with_action(due=dt.date(2026, 4, 30)):
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P", overrides={"E3": "U"})
    drill.summary = "演练总体有序。"
    improvement.draft_findings(drill, drill.ends_at)
    finding = next(f for f in services.findings_of(drill) if f.criterion_code == "E3")
    finding.recommendation = "为抢修班组配置备用卫星电话"
    assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=3))
    owner = base.user(department=drill.unit, name="韩立整改").employee
    action = improvement.assign_action(
        finding,
        owner=owner,
        description="整改通信保障",
        due_date=due,
        actor=None,
        now=local("2026-03-20 10:00"),
    )
    services.start_improvement(drill, local("2026-03-21 10:00"))
    db.session.commit()
    return drill, action


def _history(html: str) -> str:
    return html.rsplit("</h2>", 1)[1]


def test_history_lines_say_who_made_each_change(client, login):
    drill, action = _improving_drill_with_action()
    improvement.change_status(
        action, ActionStatus.IN_PROGRESS, actor=action.owner, is_manager=False, now=local("2026-03-22 09:00")
    )
    db.session.commit()
    login("admin")
    history = _history(client.get(f"/drills/actions/{action.id}").get_data(as_text=True))
    assert "韩立整改" in history


def test_an_overdue_action_is_marked_overdue_in_words(client, login):
    drill, action = _improving_drill_with_action(due=dt.date(2026, 4, 30))  # long past by now
    login("admin")
    assert "逾期" in client.get(f"/drills/actions/{action.id}").get_data(as_text=True)
    assert "逾期" in client.get("/drills/actions").get_data(as_text=True)
    assert "逾期" in client.get(f"/drills/{drill.id}/findings").get_data(as_text=True)


def test_an_action_not_yet_due_has_no_overdue_mark(client, login):
    drill, action = _improving_drill_with_action(due=dt.date.today() + dt.timedelta(days=30))
    login("admin")
    assert "逾期" not in client.get(f"/drills/actions/{action.id}").get_data(as_text=True)


def test_the_action_form_shows_only_the_fields_of_the_possible_steps(client, login):
    drill, action = _improving_drill_with_action()
    login(user=action.owner.user)  # the owner of an assigned action can only start it
    html = client.get(f"/drills/actions/{action.id}").get_data(as_text=True)
    assert 'name="to"' in html
    assert 'name="evidence"' not in html and 'name="reason"' not in html and 'name="new_due"' not in html
    improvement.change_status(
        action, ActionStatus.IN_PROGRESS, actor=action.owner, is_manager=False, now=local("2026-03-22 09:00")
    )
    db.session.commit()
    html = client.get(f"/drills/actions/{action.id}").get_data(as_text=True)  # the owner may now submit
    assert 'name="evidence"' in html and 'name="reason"' not in html and 'name="new_due"' not in html


def test_a_manager_sees_reason_and_new_due_date_for_the_steps_that_need_them(client, login):
    drill, action = _improving_drill_with_action()
    login("admin")
    html = client.get(f"/drills/actions/{action.id}").get_data(as_text=True)
    assert 'name="reason"' in html and 'name="new_due"' in html and 'name="evidence"' not in html
    assert 'data-needs="deferred rejected"' in html and 'data-needs="deferred"' in html


def test_the_findings_list_shows_each_findings_recommendation(client, login):
    drill, action = _improving_drill_with_action()
    login("admin")
    assert "为抢修班组配置备用卫星电话" in client.get(f"/drills/{drill.id}/findings").get_data(as_text=True)


def test_close_is_a_disabled_button_with_the_reason_while_closing_is_blocked(client, login):
    drill, action = _improving_drill_with_action()
    login("admin")
    html = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert f'action="/drills/{drill.id}/close"' not in html
    button = html.split('id="close-drill"', 1)[1].split(">", 1)[0]
    assert "disabled" in button and 'aria-describedby="close-blocked"' in button
