"""Drill pages say half years, rules and ratings in words (issue 13 §3): the codes stay only as tags."""

import pytest

from core.extensions import db
from drills.halfyear import HalfYear
from drills.models import DrillStatus
from tests.drills.factories import bare_drill, evaluating_drill, evaluator_forms, plan, rate_all, unit


def test_a_half_year_reads_as_people_say_it():
    assert HalfYear(2026, 2).label == "2026年下半年"
    assert HalfYear(2027, 1).label == "2027年上半年"
    assert str(HalfYear(2026, 2)) == "2026H2"  # the code stays for URLs and storage


@pytest.mark.locale("en")
def test_a_half_year_in_english():
    assert HalfYear(2026, 2).label == "second half of 2026"


def test_the_board_names_half_years_and_rules(client, login):
    branch = unit()
    bare_drill(branch, plan(), "2026-03-01 09:00")
    login("trainer", scope=branch)
    page = client.get("/drills/compliance?from=2026H1&to=2026H2").get_data(as_text=True)
    assert "2026年上半年" in page and "2026年下半年" in page
    assert "R3 每半年覆盖四类演练内容" in page
    assert "2026H2" not in page.replace('value="2026H2"', "").replace("=2026H2", "")


def test_plan_next_names_the_half_year_and_the_rules(client, login):
    login("trainer")
    page = client.get("/drills/plan-next?half=2027H1").get_data(as_text=True)
    assert "计划2027年上半年的演练" in page
    assert "R1 每半年至少一次综合演练；R2 " in page


def test_evaluation_pages_show_what_a_rating_means(client, login):
    drill = evaluating_drill()
    first, second = evaluator_forms(drill)
    rate_all(drill, first, "S", overrides={"B3": "M"})
    rate_all(drill, second, "S")
    db.session.flush()
    login(user=first.evaluator.user)
    for url in (f"/drills/{drill.id}/evaluation", f"/drills/{drill.id}/forms/{second.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "S 基本完成，存在一些问题" in page, url
    assert "M 勉强完成，存在重大问题" in client.get(f"/drills/{drill.id}/evaluation").get_data(as_text=True)
    assert drill.status == DrillStatus.EVALUATING
