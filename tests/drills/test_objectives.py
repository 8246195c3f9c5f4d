"""Drill objectives: linked to criteria and a step of the flow, rated by the median of their criteria's
consolidated ratings, rated by participants in the hotwash, shown on the page and in the report."""

import datetime as dt

import pytest

from drills import assessment, feedback, objectives, report, services
from drills.errors import DrillError, DrillStateError
from tests.drills.factories import evaluating_drill, evaluator_forms, rate_all, ready_drill


def _codes(drill):
    return {c.code: c.id for c in assessment.applicable_criteria(drill)}


def test_objective_rating_is_the_median_of_its_criteria(db):
    drill = ready_drill()
    codes = _codes(drill)
    first = objectives.add(drill, "接报后30分钟内完成研判", "assess", [codes["C1"], codes["C2"], codes["C3"]])
    second = objectives.add(drill, "1小时内发布停电信息", "respond", [codes["F1"]])
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=7))
    services.record_conducted(drill, {p.id for p in drill.participants}, drill.ends_at)
    services.start_evaluation(drill, drill.ends_at)
    one, two = evaluator_forms(drill)
    rate_all(drill, one, "P", {"C2": "M", "C3": "S", "F1": "S"})
    rate_all(drill, two, "P", {"C2": "M", "C3": "S", "F1": "S"})
    rated = {r.objective.id: r for r in objectives.ratings(drill)}
    assert rated[first.id].level == "S"  # P, M, S → S
    assert rated[first.id].criteria == [("C1", "P"), ("C2", "M"), ("C3", "S")]
    assert rated[second.id].level == "S"


def test_objectives_are_checked_and_fixed_once_conducted(db):
    drill = ready_drill()
    with pytest.raises(DrillError):
        objectives.add(drill, "", "", [])
    with pytest.raises(DrillError):
        objectives.add(drill, "目标", "nowhere", [])
    with pytest.raises(DrillError):
        objectives.add(drill, "目标", "", [999999])
    objective = objectives.add(drill, "目标", "", [])
    assert objective.position == 1 and objectives.add(drill, "目标二", "", []).position == 2
    conducted = evaluating_drill()
    with pytest.raises(DrillStateError):
        objectives.add(conducted, "太晚了", "", [])


def test_feedback_rates_structured_objectives_when_there_are_some(db):
    drill = ready_drill()
    drill.objectives = "文字目标一"
    assert [k for k, _t in feedback.objective_lines(drill)] == ["o1"]
    objective = objectives.add(drill, "结构化目标", "report", [])
    assert feedback.objective_lines(drill) == [(f"obj{objective.id}", "结构化目标")]


def test_manager_adds_an_objective_over_http_and_the_report_shows_it(app, client, login, db):
    drill = ready_drill()
    codes = _codes(drill)
    login("admin")
    response = client.post(
        f"/drills/{drill.id}/objectives",
        data={"text": "15分钟内启动响应", "step": "activate", "criteria": [codes["D1"]]},
    )
    assert response.status_code == 302
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert "15分钟内启动响应" in page and "启动应急响应" in page
    with app.test_request_context():
        html = report.report_html(drill)
    assert "演练目标达成情况" in html and "15分钟内启动响应" in html and "D1" in html


def test_an_employee_cannot_add_objectives(client, login, db):
    drill = ready_drill()
    login("employee")
    assert client.post(f"/drills/{drill.id}/objectives", data={"text": "x"}).status_code in (403, 404)
