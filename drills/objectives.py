"""Drill objectives (演练目标): SMART statements, each tied to a step of the five-step flow and measured
by evaluation criteria of the drill's template. They are set while the drill is planned or approved.

Rating per objective (report and drill page): the median (``evaluation.median_level``: N/A left out, the
lower of two middle ones) of the consolidated ratings of its criteria — each of those is already the
evaluators' median, or the lead evaluator's settlement. An objective whose criteria are all N/A or
unrated has no rating. The overall score is computed as before; objective ratings do not change it.

A drill without structured objectives keeps its free-text 演练目标; hotwash feedback then rates those
lines (``feedback.objective_keys``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.extensions import db
from core.i18n import gettext as _
from drills import assessment, services
from drills.conduct_models import FlowStep, Objective
from drills.errors import DrillError
from drills.evaluation import median_level
from drills.evaluation_models import Level
from drills.models import Drill

TEXT_MAX = 500


def objectives_of(drill: Drill) -> list[Objective]:
    return list(
        db.session.scalars(
            db.select(Objective)
            .where(Objective.drill_id == drill.id)
            .order_by(Objective.position, Objective.id)
        )
    )


def add(drill: Drill, text: str, step: str, criterion_ids) -> Objective:
    """Add an objective (before the drill is conducted)."""
    services.ensure_editable(drill)
    text = (text or "").strip()
    if not text or len(text) > TEXT_MAX:
        raise DrillError(_("An objective needs a text of at most %(n)s characters.", n=TEXT_MAX))
    if step and step not in {s.value for s in FlowStep}:
        raise DrillError(_("Unknown step."))
    by_id = {c.id: c for c in assessment.applicable_criteria(drill)}
    chosen = []
    for value in criterion_ids or []:
        criterion = by_id.get(int(value)) if str(value).isdigit() else None
        if criterion is None:
            raise DrillError(_("Unknown criterion."))
        chosen.append(criterion)
    existing = objectives_of(drill)
    objective = Objective(
        drill_id=drill.id,
        position=(existing[-1].position + 1) if existing else 1,
        text=text,
        step=step or "",
        criteria=chosen,
    )
    db.session.add(objective)
    db.session.flush()
    return objective


def remove(drill: Drill, objective: Objective) -> None:
    services.ensure_editable(drill)
    db.session.delete(objective)
    db.session.flush()


@dataclass
class ObjectiveRating:
    objective: Objective
    level: str | None  # P/S/M/U, or None when nothing rated
    criteria: list[tuple[str, str]]  # (code, consolidated level)


def ratings(drill: Drill) -> list[ObjectiveRating]:
    """Each objective with the median of its criteria's consolidated ratings."""
    final = {v.criterion.id: v.final for v in assessment.consolidated(drill)}
    result = []
    for objective in objectives_of(drill):
        levels = [(c.code, final.get(c.id, Level.NA)) for c in objective.criteria]
        level = median_level(lv for _code, lv in levels)
        result.append(ObjectiveRating(objective, None if level == Level.NA else level, levels))
    return result
