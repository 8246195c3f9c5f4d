"""Evaluation arithmetic: median, disagreement flag, renormalised weights, critical-U override, tiers."""

from decimal import Decimal

import pytest

from drills.catalogue import ensure_default_template
from drills.evaluation import (
    checklist_level,
    compute_result,
    is_flagged,
    median_level,
    spread,
    suggest_severity,
    tier_for,
)
from drills.evaluation_models import Criterion, CriterionGroup
from drills.models import ContentType, Tier
from drills.settings import Settings

ALL = [c.value for c in ContentType]


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["P"], "P"),
        (["P", "S", "M"], "S"),
        (["U", "P", "S"], "S"),
        (["P", "S"], "S"),  # even: the lower of the two middle ratings
        (["P", "P", "M", "U"], "M"),
        (["P", "NA", "S"], "S"),  # N/A left out
        (["NA", "NA"], "NA"),
        ([], "NA"),
    ],
)
def test_median_of_ratings(levels, expected):
    assert median_level(levels) == expected


def test_spread_of_two_levels_is_flagged():
    assert spread(["P", "S"]) == 1 and not is_flagged(["P", "S"])
    assert is_flagged(["P", "M"])
    assert is_flagged(["S", "S", "U"])
    assert not is_flagged(["P", "NA", "S"])


def test_checklist_yes_no_maps_to_p_and_u():
    assert checklist_level(True) == "P"
    assert checklist_level(False) == "U"
    assert checklist_level(None) == "NA"


def _groups():
    a = CriterionGroup(code="A", name="甲", weight=Decimal(60), content_types=[])
    a.criteria = [
        Criterion(code="A1", text="a1", weight=Decimal(1), critical=False),
        Criterion(code="A2", text="a2", weight=Decimal(3), critical=True),
    ]
    b = CriterionGroup(
        code="B", name="乙", weight=Decimal(40), content_types=[ContentType.CUSTOMER_COMMS.value]
    )
    b.criteria = [Criterion(code="B1", text="b1", weight=Decimal(1), critical=False)]
    return [a, b]


def test_weighted_mean_is_exact():
    # A = (1×80 + 3×100)/4 = 95; B = 50; score = (60×95 + 40×50)/100 = 77
    result = compute_result(_groups(), {"A1": "S", "A2": "P", "B1": "M"}, ALL, Settings())
    assert result.score == Decimal("77.00")
    assert result.tier == Tier.PASS
    assert [g.score for g in result.groups] == [Decimal(95), Decimal(50)]


def test_groups_not_applying_drop_out_and_weights_renormalise():
    # Without customer communication, B drops out: score = A alone = 95 (weight 60 → 100 %).
    result = compute_result(
        _groups(), {"A1": "S", "A2": "P", "B1": "U"}, [ContentType.RESPONSE.value], Settings()
    )
    assert result.score == Decimal("95.00")
    assert result.groups[1].score is None and not result.groups[1].applies
    assert result.groups[0].effective_weight == Decimal(1)


def test_all_na_group_drops_out():
    result = compute_result(_groups(), {"A1": "P", "A2": "P", "B1": "NA"}, ALL, Settings())
    assert result.score == Decimal("100.00")


def test_critical_u_fails_whatever_the_score():
    groups = _groups()
    groups[0].criteria.append(Criterion(code="A3", text="a3", weight=Decimal("0.1"), critical=True))
    result = compute_result(groups, {"A1": "P", "A2": "P", "A3": "U", "B1": "P"}, ALL, Settings())
    assert result.score == Decimal("98.54")  # would be 优秀 without the critical U
    assert result.tier == Tier.FAIL and result.critical_codes == ["A3"]


def test_u_on_non_critical_criterion_does_not_fail_by_itself():
    result = compute_result(_groups(), {"A1": "U", "A2": "P", "B1": "P"}, ALL, Settings())
    assert result.score == Decimal("85.00") and result.tier == Tier.GOOD


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        ("90.00", Tier.EXCELLENT),
        ("89.99", Tier.GOOD),
        ("80.00", Tier.GOOD),
        ("79.99", Tier.PASS),
        ("70.00", Tier.PASS),
        ("69.99", Tier.FAIL),
        ("0", Tier.FAIL),
    ],
)
def test_tier_boundaries(score, tier):
    assert tier_for(Decimal(score), False, Settings()) == tier


def test_tier_thresholds_are_configurable():
    strict = Settings(tier_excellent=Decimal(95), tier_good=Decimal(85), tier_pass=Decimal(75))
    assert tier_for(Decimal(90), False, strict) == Tier.GOOD
    assert tier_for(Decimal(74), False, strict) == Tier.FAIL


def test_score_rounds_half_up_before_the_tier_is_read():
    a = CriterionGroup(code="A", name="甲", weight=Decimal(1), content_types=[])
    # weights 0.49975 (P) and 0.50025 (S): exact mean 89.995
    a.criteria = [
        Criterion(code="P1", text="x", weight=Decimal("0.49975"), critical=False),
        Criterion(code="S1", text="x", weight=Decimal("0.50025"), critical=False),
    ]
    result = compute_result([a], {"P1": "P", "S1": "S"}, ALL, Settings())
    assert result.score == Decimal("90.00")  # 89.995 rounds half up
    assert result.tier == Tier.EXCELLENT


def test_default_template_weights_and_groups():
    template = ensure_default_template()
    assert [g.code for g in template.groups] == list("ABCDEFGH")
    assert [g.name for g in template.groups][:3] == ["准备与组织", "发现与报告", "研判与分级"]
    assert sum(g.weight for g in template.groups) == 100
    assert all(len(g.criteria) >= 3 for g in template.groups)
    assert any(c.critical for g in template.groups for c in g.criteria)
    assert {c.method for g in template.groups for c in g.criteria} == {
        "observation",
        "timing",
        "records",
        "interview",
    }


@pytest.mark.parametrize(
    ("level", "critical", "expected"),
    [
        ("U", True, "deficiency"),
        ("U", False, "corrective"),
        ("M", True, "corrective"),
        ("M", False, "corrective"),
        ("S", False, "improvement"),
        ("S", True, "improvement"),
        ("P", True, None),
        ("NA", False, None),
    ],
)
def test_severity_suggested_from_the_rating(level, critical, expected):
    assert suggest_severity(level, critical) == expected


def test_criteria_check_knowledge_points_of_the_one_vocabulary(db):
    """The starter links each default criterion to the knowledge point its group checks (question_bank's
    tree); a criterion a trainer linked elsewhere is left alone."""
    from core.seeding import Outcome
    from drills.catalogue import ensure_default_template
    from drills.starter import link_criteria_points
    from question_bank.knowledge import point_named, seed_knowledge_points

    seed_knowledge_points(Outcome("knowledge-points"))
    template = ensure_default_template()
    chosen = template.groups[0].criteria[0]
    chosen.knowledge_point = point_named("服务之星")
    link_criteria_points(Outcome("criteria"))
    by_group = {g.code: {c.knowledge_point.name for c in g.criteria[1:]} for g in template.groups}
    assert by_group["C"] == {"事件分级"} and by_group["F"] == {"客户沟通"}
    assert chosen.knowledge_point.name == "服务之星"
    assert point_named("事件分级").parent.guide_section == "6.1"
