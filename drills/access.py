"""Who may see and run a drill.

Trainers (scoped to a subtree) plan, run and evaluate the drills of units in their scope; HR reads every
drill in its scope; admins read and manage everything; every other user sees only drills they take part in
(as participant, director or lead evaluator). An out-of-scope drill answers 404.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import exists, false, or_, select

from accounts.models import Department, User
from accounts.services import can_manage_unit, covers_department, scope_clause
from core.auth import Role
from core.extensions import db
from drills.models import Drill, DrillParticipant


def can_manage(user: User, drill: Drill) -> bool:
    """Trainers over the drill's unit and admins plan, run and evaluate it."""
    return can_manage_unit(user, drill.unit_id)


def hr_covers(user: User, drill: Drill) -> bool:
    """HR over the drill's unit reads everything about it."""
    return user.has_any_role(Role.HR) and covers_department(user, Role.HR, drill.unit)


def takes_part(user: User, drill: Drill) -> bool:
    """The user is the drill's director, lead evaluator or one of its participants."""
    emp = user.employee_id
    if emp in (drill.director_id, drill.lead_evaluator_id):
        return True
    return bool(roles_of(user, drill))


def roles_of(user: User, drill: Drill) -> set[str]:
    """The user's participant roles in the drill (one small query; the drill's whole list of participants
    is not loaded, since pages polled every few seconds ask this)."""
    if user.employee_id is None:
        return set()
    cache = g.setdefault("drill_roles", {}) if has_request_context() else {}
    key = (drill.id, user.employee_id)
    if key not in cache:
        cache[key] = frozenset(
            db.session.scalars(
                select(DrillParticipant.role).where(
                    DrillParticipant.drill_id == drill.id, DrillParticipant.employee_id == user.employee_id
                )
            )
        )
    return set(cache[key])


def can_view(user: User, drill: Drill) -> bool:
    """Managers, HR over the unit, and the drill's own people may see a drill."""
    # the drill's own people first: their one small query (cached for the request) spares the role
    # grants' query on the pages a running drill's people poll
    return takes_part(user, drill) or can_manage(user, drill) or hr_covers(user, drill)


def visible_drills_clause(user: User):
    """A SQL condition on Drill: the drills ``user`` may see."""
    conditions = [
        exists().where(
            DrillParticipant.drill_id == Drill.id, DrillParticipant.employee_id == user.employee_id
        ),
        Drill.director_id == user.employee_id,
        Drill.lead_evaluator_id == user.employee_id,
    ]
    if user.has_any_role(Role.ADMIN):
        conditions.append(Drill.unit_id.is_not(None))
    for role in (Role.TRAINER, Role.HR):
        if user.has_any_role(role):
            conditions.append(scope_clause(user, role, Drill.unit_id))
    return or_(*conditions)


def staff_scope_clause(user: User, column):
    """Departments ``user`` covers as trainer, HR or admin (for the board and unit pickers)."""
    if user.has_any_role(Role.ADMIN):
        return column.is_not(None)
    conditions = [
        scope_clause(user, role, column) for role in (Role.TRAINER, Role.HR) if user.has_any_role(role)
    ]
    return or_(*conditions) if conditions else false()


def manageable_units(user: User, unit_kinds) -> list[Department]:
    """The units ``user`` may plan drills for."""
    query = select(Department).where(Department.kind.in_([*unit_kinds, "company"]))
    if not user.has_any_role(Role.ADMIN):
        query = query.where(scope_clause(user, Role.TRAINER, Department.id))
    return list(db.session.scalars(query.order_by(Department.path)))
