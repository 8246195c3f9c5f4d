"""The half-yearly drill rules R1–R5 in one place: thresholds (configurable), plain-language explanations,
and the compliance board (unit × half year → green / amber / red, each cell explaining itself).

Configuration: ``drills/settings.py`` (the ``drill_settings`` row, page 演练规则与设置; defaults in
``DEFAULTS``): ``amber_days`` 60, ``escalation_days`` 30, ``red_days`` 10 (days before the half year's last day),
``report_due_days`` 15, ``coverage_half_years`` 4 (R2's window), ``tier_excellent`` 90, ``tier_good`` 80,
``tier_pass`` 70, ``deficiency_due_days`` 30, ``reminder_days_before`` 7, ``rules_start`` (the first half
year the rules apply to; R2's coverage window is only checked once it lies wholly after it) and
``unit_kinds`` (which department kinds are units on the board).

What counts (guide 6.4): a drill counts in the half year of its date (Asia/Shanghai) only when conducted
and evaluated 合格 or better (its result is final with tier 优秀/良好/合格).

Cell states: ``future`` (the half year has not begun), ``open`` (under way, nothing due yet), ``green``
(every rule met), ``amber`` (≤ 60 days left and no approved 综合 drill, or a rule still unmet inside that
window), ``amber_escalated`` (≤ 30 days left and the 综合 drill not conducted), ``red`` (≤ 10 days left and
no 综合 drill evaluated 合格, or the half year ended non-compliant).

The modules: ``facts`` loads what the rules need (three set-based queries: drills, 不足项 with their actions,
plans), ``rules`` checks one cell in pure Python over those rows, ``board`` lays the cells out for units ×
half years. Speed: see bench/bench_drill_compliance.py.
"""

from drills.compliance.board import Board, board_units, build_board, default_halves
from drills.compliance.facts import DeficiencyFact, DrillFact, Facts, load_facts, unit_plan_types
from drills.compliance.rules import (
    RULES,
    Cell,
    CellLine,
    Rule,
    evaluate_cell,
    rule_name,
    rule_names,
    rule_texts,
)

__all__ = [
    "RULES",
    "Board",
    "Cell",
    "CellLine",
    "DeficiencyFact",
    "DrillFact",
    "Facts",
    "Rule",
    "board_units",
    "build_board",
    "default_halves",
    "evaluate_cell",
    "load_facts",
    "rule_name",
    "rule_names",
    "rule_texts",
    "unit_plan_types",
]
