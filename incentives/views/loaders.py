"""Loaders the incentives view modules share (load, then check: 404 when the viewer may not know the object
exists) and the units and period a page's query string may pick."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from accounts.models import Department, Employee
from accounts.services import departments_in_scope
from core.auth import STAFF_ROLES, Role
from core.extensions import db
from incentives.models import PointEntry
from incentives.periods import parse_period
from incentives.ranking import unit_of
from incentives.services import can_see_ledger


def load_employee(employee_id: int) -> Employee:
    employee = db.session.get(Employee, employee_id)
    if employee is None or not can_see_ledger(current_user, employee):
        abort(404)
    return employee


def load_entry(entry_id: int) -> PointEntry:
    entry = db.session.get(PointEntry, entry_id)
    if entry is None or not can_see_ledger(current_user, entry.employee):
        abort(404)
    return entry


def staff_units(user) -> list[Department]:
    """Units a staff user may pick: the departments they cover as HR or trainer (admin: all)."""
    if user.has_any_role(Role.ADMIN):
        return departments_in_scope(user, Role.ADMIN)
    seen: dict[int, Department] = {}
    for role in (Role.HR, Role.TRAINER):
        if user.has_any_role(role):
            for dept in departments_in_scope(user, role):
                seen[dept.id] = dept
    return sorted(seen.values(), key=lambda d: d.path)


def leaderboard_units(user) -> list[Department]:
    """Units whose leaderboard ``user`` may open: staff their scope, an employee their own unit."""
    units = staff_units(user) if user.has_any_role(*STAFF_ROLES) else []
    own = unit_of(user.employee)
    if own.id not in {u.id for u in units}:
        units.insert(0, own)
    return units


def pick_unit(units: list[Department], default: Department | None) -> Department | None:
    """The unit named by ``?unit=`` if the viewer may use it (else 404), or ``default``."""
    unit_id = request.args.get("unit", type=int)
    if not unit_id:
        return default
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None:
        abort(404)
    return unit


def period_from_args(now):
    return parse_period(request.args.get("period"), request.args.get("kind"), now)
