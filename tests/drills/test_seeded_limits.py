"""Seeded drill content true to the guide (§3.3 gives response times; every other limit is an example,
marked 示例), and a unit's own edited criteria survive a re-seed of the starter content."""

from sqlalchemy import select

from core.seeding import Outcome
from drills import starter, timeline
from drills.catalogue import DEFAULT_TEMPLATE, PLANS
from drills.evaluation_models import Criterion, EvaluationTemplate, Method

EXAMPLE = "示例"


def _criteria_texts():
    return [(c[0], c[2], c[3]) for *_g, criteria in DEFAULT_TEMPLATE for c in criteria]


def test_every_seeded_limit_that_the_guide_does_not_give_is_marked_example():
    class Shape:
        def __init__(self, standard):
            self.standard, self.text = standard, ""

    limited = [(code, std) for code, std, _m in _criteria_texts() if timeline.limit_minutes(Shape(std))]
    assert {code for code, _s in limited} >= {"C2", "D1", "E1", "F1", "G2"}
    for code, standard in limited:
        assert EXAMPLE in standard, code


def test_plan_levels_quote_the_guide_as_response_times():
    levels = [lv for plan in PLANS for lv in plan[5]]
    quoting = [" ".join(lv) for lv in levels if "指南3.3" in " ".join(lv)]
    assert len(quoting) == 2
    for text in quoting:
        assert "响应时间" in text
        assert "到位" not in text and "到达现场" not in text


def test_reseeding_leaves_a_units_edited_criterion_alone(db):
    starter.seed_evaluation_template(Outcome("evaluation-template"))
    template = db.session.scalar(select(EvaluationTemplate).order_by(EvaluationTemplate.id))
    e1 = db.session.scalar(
        select(Criterion)
        .join(Criterion.group)
        .where(Criterion.code == "E1", Criterion.group.has(template_id=template.id))
    )
    assert e1.method == Method.TIMING and EXAMPLE in e1.standard
    e1.standard = "城区30分钟内到达现场（本单位标准）"
    db.session.flush()
    again = Outcome("evaluation-template")
    starter.seed_evaluation_template(again)
    db.session.refresh(e1)
    assert e1.standard == "城区30分钟内到达现场（本单位标准）"
    assert again.added == 0 and len(again.skipped) == 1 and "edited here" in again.skipped[0][1]
    assert timeline.limit_minutes(e1) == 30
