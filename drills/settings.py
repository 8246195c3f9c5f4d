"""The configurable thresholds of the drill rules and the evaluation tiers.

Stored in the ``drill_settings`` row (page 演练规则与设置; admins edit it); without a row the defaults
below apply. Keys: ``amber_days`` 60, ``escalation_days`` 30, ``red_days`` 10 (days before the half year's
last day), ``report_due_days`` 15 (R4), ``coverage_half_years`` 4 (R2's window), ``tier_excellent`` 90,
``tier_good`` 80, ``tier_pass`` 70 (defaults from no standard), ``deficiency_due_days`` 30,
``reminder_days_before`` 7, ``team_lapse_months`` 12 (emergency-team members with no drill in that many
months are listed on the board), ``rules_start`` (first half year the rules apply to) and ``unit_kinds``
(the department kinds that are units on the board).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.extensions import db
from drills.models import DrillSettings

DEFAULTS = {
    "amber_days": 60,
    "escalation_days": 30,
    "red_days": 10,
    "report_due_days": 15,
    "coverage_half_years": 4,
    "tier_excellent": Decimal(90),
    "tier_good": Decimal(80),
    "tier_pass": Decimal(70),
    "deficiency_due_days": 30,
    "reminder_days_before": 7,
    "team_lapse_months": 12,
    "rules_start": "2025H1",
    "unit_kinds": ["branch", "center", "station"],
}


@dataclass(frozen=True)
class Settings:
    amber_days: int = 60
    escalation_days: int = 30
    red_days: int = 10
    report_due_days: int = 15
    coverage_half_years: int = 4
    tier_excellent: Decimal = Decimal(90)
    tier_good: Decimal = Decimal(80)
    tier_pass: Decimal = Decimal(70)
    deficiency_due_days: int = 30
    reminder_days_before: int = 7
    team_lapse_months: int = 12
    rules_start: str = "2025H1"
    unit_kinds: tuple = ("branch", "center", "station")


def get_settings() -> Settings:
    """The thresholds in force: the settings row when there is one, else the defaults."""
    row = db.session.get(DrillSettings, 1)
    if row is None:
        return Settings()
    return Settings(
        amber_days=row.amber_days,
        escalation_days=row.escalation_days,
        red_days=row.red_days,
        report_due_days=row.report_due_days,
        coverage_half_years=row.coverage_half_years,
        tier_excellent=Decimal(row.tier_excellent),
        tier_good=Decimal(row.tier_good),
        tier_pass=Decimal(row.tier_pass),
        deficiency_due_days=row.deficiency_due_days,
        reminder_days_before=row.reminder_days_before,
        team_lapse_months=row.team_lapse_months or DEFAULTS["team_lapse_months"],
        rules_start=row.rules_start,
        unit_kinds=tuple(row.unit_kinds or DEFAULTS["unit_kinds"]),
    )
