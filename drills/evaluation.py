"""Evaluation arithmetic, exact in Decimal.

- Ratings P / S / M / U score 100 / 80 / 50 / 0; N/A is left out. A 是/否 checklist item maps 是 → P, 否 → U.
- Per criterion the median of the submitted evaluators' ratings counts (self-assessments have weight 0:
  they are stored and shown, never counted). With an even number of ratings the median is the LOWER of
  the two middle ratings (the more cautious one), so the median is always a real rating level.
- A spread of two or more levels (e.g. P and M) flags the criterion; the lead evaluator settles it with a
  level and a note, and the settled level replaces the median.
- A group's score is the weighted mean of its rated criteria; a group whose ``content_types`` miss every
  content type of the drill drops out, as does a group with every criterion N/A; the remaining group
  weights renormalise (the drill score is Σ weight × group score / Σ weight of the remaining groups).
- The drill score is rounded to 0.01 (half up) and the tier is read from the rounded score:
  优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 70, else 不合格 (thresholds configurable; they come from no standard).
- Any critical criterion whose final level is U makes the drill 不合格 whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from drills.evaluation_models import Criterion, CriterionGroup, Level, Severity
from drills.models import Tier
from drills.settings import Settings

LEVEL_SCORES = {Level.P: Decimal(100), Level.S: Decimal(80), Level.M: Decimal(50), Level.U: Decimal(0)}
LEVEL_RANK = {Level.P: 0, Level.S: 1, Level.M: 2, Level.U: 3}
RATED_LEVELS = (Level.P, Level.S, Level.M, Level.U)
CENT = Decimal("0.01")


def checklist_level(answer: bool | None) -> str:
    """A 是/否 checklist answer as a rating: 是 → P, 否 → U, unanswered → N/A."""
    if answer is None:
        return Level.NA
    return Level.P if answer else Level.U


def median_level(levels: Iterable[str]) -> str:
    """The median rating, N/A left out (all N/A → N/A); of an even count, the lower of the two middle ones."""
    rated = sorted((lv for lv in levels if lv in LEVEL_RANK), key=LEVEL_RANK.__getitem__)
    if not rated:
        return Level.NA
    return rated[len(rated) // 2]  # odd: the middle one; even: the worse of the two middle ones


def spread(levels: Iterable[str]) -> int:
    """How many levels apart the best and the worst rating are (N/A left out)."""
    ranks = [LEVEL_RANK[lv] for lv in levels if lv in LEVEL_RANK]
    return max(ranks) - min(ranks) if ranks else 0


def is_flagged(levels: Iterable[str]) -> bool:
    """Evaluators disagree by two or more levels: the lead evaluator must settle the criterion."""
    return spread(levels) >= 2


def group_applies(group: CriterionGroup, content_types: Iterable[str]) -> bool:
    return not group.content_types or bool(set(group.content_types) & set(content_types))


def tier_for(score: Decimal, critical_failure: bool, settings: Settings) -> str:
    """The result tier of a rounded score; a critical U is 不合格 whatever the score."""
    if critical_failure:
        return Tier.FAIL
    if score >= settings.tier_excellent:
        return Tier.EXCELLENT
    if score >= settings.tier_good:
        return Tier.GOOD
    if score >= settings.tier_pass:
        return Tier.PASS
    return Tier.FAIL


@dataclass
class GroupScore:
    group: CriterionGroup
    applies: bool
    score: Decimal | None  # exact; None when the group dropped out
    weight: Decimal  # the template weight
    effective_weight: Decimal | None = None  # share of the drill score after renormalising (0..1)

    @property
    def rounded(self) -> Decimal | None:
        return None if self.score is None else self.score.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Result:
    score: Decimal | None
    tier: str | None
    critical_failure: bool
    groups: list[GroupScore] = field(default_factory=list)
    critical_codes: list[str] = field(default_factory=list)


def compute_result(
    groups: list[CriterionGroup], levels: dict[str, str], content_types: Iterable[str], settings: Settings
) -> Result:
    """The drill score and tier from the final level of each criterion (keyed by criterion code)."""
    content_types = list(content_types)
    scores: list[GroupScore] = []
    critical: list[str] = []
    for group in groups:
        applies = group_applies(group, content_types)
        total_w = Decimal(0)
        total = Decimal(0)
        for criterion in group.criteria:
            level = levels.get(criterion.code, Level.NA)
            if not applies or level not in LEVEL_SCORES:
                continue
            if criterion.critical and level == Level.U:
                critical.append(criterion.code)
            weight = Decimal(criterion.weight)
            total_w += weight
            total += weight * LEVEL_SCORES[level]
        score = total / total_w if applies and total_w > 0 else None
        scores.append(GroupScore(group, applies, score, Decimal(group.weight)))
    counted = [g for g in scores if g.score is not None and g.weight > 0]
    weight_sum = sum((g.weight for g in counted), Decimal(0))
    if weight_sum == 0:
        return Result(None, None, bool(critical), scores, critical)
    for g in counted:
        g.effective_weight = g.weight / weight_sum
    exact = sum((g.weight * g.score for g in counted), Decimal(0)) / weight_sum
    rounded = exact.quantize(CENT, ROUND_HALF_UP)
    return Result(rounded, tier_for(rounded, bool(critical), settings), bool(critical), scores, critical)


def suggest_severity(level: str, critical: bool) -> str | None:
    """The severity a rating suggests: critical U → 不足项; M, or U on a non-critical criterion → 整改项;
    S → 改进项; P and N/A → none."""
    if level == Level.U:
        return Severity.DEFICIENCY if critical else Severity.CORRECTIVE
    if level == Level.M:
        return Severity.CORRECTIVE
    if level == Level.S:
        return Severity.IMPROVEMENT
    return None


@dataclass
class CriterionView:
    """One criterion as the consolidated evaluation shows it."""

    criterion: Criterion
    ratings: list[tuple[object, str, str]]  # (evaluator employee, level, comment) of submitted forms
    self_ratings: list[tuple[object, str, str]]
    median: str
    flagged: bool
    settled: object | None  # the Settlement, when there is one

    @property
    def final(self) -> str:
        return self.settled.level if self.settled is not None else self.median

    @property
    def unsettled(self) -> bool:
        return self.flagged and self.settled is None
