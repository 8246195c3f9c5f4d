"""Who may see which person's records in reports: the one rule, built on ``accounts.services`` scope."""

from __future__ import annotations

from accounts.models import Department, Employee, User
from accounts.services import covers_department, departments_in_scope, scope_clause
from core.auth import Role


def can_view_sheet(user: User, employee: Employee) -> bool:
    """A person sees their own sheet; HR sees the sheets of people in their scope; admins see all.
    Anyone else must not learn the person exists (the view answers 404)."""
    if employee.id == user.employee_id or user.has_any_role(Role.ADMIN):
        return True
    return user.has_any_role(Role.HR) and covers_department(user, Role.HR, employee.department)


def reporting_role(user: User) -> str:
    """The role through which ``user`` reads units: admin (everything) or HR (their scope)."""
    return Role.ADMIN if user.has_any_role(Role.ADMIN) else Role.HR


def can_view_unit(user: User, department: Department | None) -> bool:
    """HR over the unit, or an admin."""
    if department is None:
        return False
    if user.has_any_role(Role.ADMIN):
        return True
    return user.has_any_role(Role.HR) and covers_department(user, Role.HR, department)


def units_for(user: User) -> list[Department]:
    """The departments ``user`` may report on, in tree order."""
    return departments_in_scope(user, reporting_role(user))


def employee_scope(user: User):
    """A SQL condition on ``Employee.department_id`` for the people ``user`` may report on."""
    return scope_clause(user, reporting_role(user), Employee.department_id)
