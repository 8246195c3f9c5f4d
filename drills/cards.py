"""The drills package's dashboard cards: my drills and actions, and the compliance board's flags."""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills import access, compliance
from drills.evaluation_models import ActionStatus, CorrectiveAction
from drills.halfyear import HalfYear
from drills.models import Drill, DrillParticipant, DrillStatus
from drills.teams import teams_of


def my_drills_card(user, now):
    """Dashboard: the drills the user takes part in (upcoming first), their open actions and the
    emergency teams they are on."""
    drills = db.session.scalars(
        select(Drill)
        .where(
            (
                Drill.id.in_(
                    select(DrillParticipant.drill_id).where(DrillParticipant.employee_id == user.employee_id)
                )
            )
            | (Drill.director_id == user.employee_id),
            Drill.status != DrillStatus.CANCELLED,
            Drill.status != DrillStatus.PLANNED,
        )
        .order_by(Drill.starts_at.desc())
        .limit(5)
    ).all()
    actions = db.session.scalars(
        select(CorrectiveAction)
        .where(
            CorrectiveAction.owner_id == user.employee_id,
            CorrectiveAction.status.in_([ActionStatus.ASSIGNED, ActionStatus.IN_PROGRESS]),
        )
        .order_by(CorrectiveAction.due_date)
    ).all()
    today = now.astimezone(LOCAL_TZ).date()
    memberships = teams_of(user.employee_id, today)
    if not drills and not actions and not memberships:
        return None
    return {"drills": drills, "actions": actions, "teams": memberships, "today": today, "now": now}


def board_card(user, now):
    """Dashboard: how many units are amber or red this half year."""
    units = compliance.board_units(access.staff_scope_clause(user, Department.id))
    if not units:
        return None
    current = HalfYear.of(now)
    board = compliance.build_board(units, [current], now)
    flagged = [
        (u, cells[0]) for u, cells in board.rows if cells[0].state in ("amber", "amber_escalated", "red")
    ]
    return {"half": current, "counts": board.counts(), "flagged": flagged[:6], "total": len(units)}
