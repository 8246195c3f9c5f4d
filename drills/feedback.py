"""Hotwash feedback (热反馈): right after the drill, each participant answers a short form on the phone,
reached by the QR code shown at the hotwash: what went well, what to improve, 1–5 per objective and for
the drill overall. One per participant (a second send replaces the first until the report is issued).

The objectives rated are the drill's structured objectives (``drills.objectives``; keys ``obj<id>``) or,
for a drill without them, the lines of its free-text 演练目标 (keys ``o1``, ``o2`` … in order);
``overall`` rates the drill as a whole.

Who answers: the drill's participants except its evaluators (who have their evaluation form). Who reads:
the drill's controllers and evaluators, in aggregate and the comments; names only when the drill's
feedback is not anonymous (``Drill.feedback_anonymous``, on by default). Participants never read others'
feedback or the evaluators' notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Employee
from core.extensions import db
from core.i18n import gettext as _
from drills import objectives
from drills.conduct_models import Feedback
from drills.errors import DrillError, DrillStateError
from drills.models import Drill, DrillStatus, ParticipantRole

OPEN_STATES = (DrillStatus.APPROVED, DrillStatus.CONDUCTED, DrillStatus.EVALUATING)
TEXT_MAX = 2000
OVERALL = "overall"


def objective_lines(drill: Drill) -> list[tuple[str, str]]:
    """(key, text) of each objective rated in the feedback (see the module's docstring)."""
    structured = objectives.objectives_of(drill)
    if structured:
        return [(f"obj{o.id}", o.text) for o in structured]
    lines = [line.strip(" \t-•·") for line in (drill.objectives or "").splitlines()]
    return [(f"o{n}", text) for n, text in enumerate((t for t in lines if t), start=1)]


def may_answer(drill: Drill, employee_id: int | None) -> bool:
    roles = {p.role for p in drill.participants if p.employee_id == employee_id}
    return bool(roles - {ParticipantRole.EVALUATOR})


def is_open(drill: Drill, now: dt.datetime) -> bool:
    return drill.status in OPEN_STATES and now >= drill.starts_at


def mine(drill: Drill, employee: Employee) -> Feedback | None:
    return db.session.scalar(
        select(Feedback).where(Feedback.drill_id == drill.id, Feedback.employee_id == employee.id)
    )


def submit(
    drill: Drill, employee: Employee, *, went_well: str, to_improve: str, ratings: dict, now: dt.datetime
) -> Feedback:
    """Store (or replace) the participant's feedback."""
    if not may_answer(drill, employee.id):
        raise DrillError(_("Only the drill's participants give feedback."))
    if not is_open(drill, now):
        raise DrillStateError(_("Feedback opens when the drill starts and closes when the report is issued."))
    keys = {OVERALL, *(k for k, _t in objective_lines(drill))}
    clean = {}
    for key, value in (ratings or {}).items():
        if key not in keys:
            raise DrillError(_("Unknown objective."))
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DrillError(_("Rate from 1 to 5.")) from None
        if not 1 <= number <= 5:
            raise DrillError(_("Rate from 1 to 5."))
        clean[key] = number
    if OVERALL not in clean:
        raise DrillError(_("Rate the drill as a whole from 1 to 5."))
    went_well, to_improve = (went_well or "").strip(), (to_improve or "").strip()
    if len(went_well) > TEXT_MAX or len(to_improve) > TEXT_MAX:
        raise DrillError(_("Each answer is at most %(n)s characters.", n=TEXT_MAX))
    item = mine(drill, employee) or Feedback(drill_id=drill.id, employee_id=employee.id)
    item.went_well, item.to_improve, item.ratings, item.submitted_at = went_well, to_improve, clean, now
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class Summary:
    count: int
    invited: int
    ratings: list[tuple[str, str, int, float | None]]  # key, label, answers, mean
    went_well: list[tuple[str, str]]  # (name or "", text)
    to_improve: list[tuple[str, str]]


def summary(drill: Drill, overall_label: str) -> Summary:
    """Every answer aggregated: answers and mean per objective; comments, named unless anonymous."""
    items = list(
        db.session.scalars(select(Feedback).where(Feedback.drill_id == drill.id).order_by(Feedback.id))
    )
    labels = [(OVERALL, overall_label), *objective_lines(drill)]
    ratings = []
    for key, label in labels:
        values = [f.ratings[key] for f in items if key in (f.ratings or {})]
        ratings.append((key, label, len(values), round(sum(values) / len(values), 1) if values else None))

    def named(f: Feedback) -> str:
        return "" if drill.feedback_anonymous else f.employee.name

    invited = len({p.employee_id for p in drill.participants if may_answer(drill, p.employee_id)})
    return Summary(
        count=len(items),
        invited=invited,
        ratings=ratings,
        went_well=[(named(f), f.went_well) for f in items if f.went_well],
        to_improve=[(named(f), f.to_improve) for f in items if f.to_improve],
    )
