"""Dashboard cards: the employee's certificates and hours; HR's expiring list and matrix gaps."""

from __future__ import annotations

from accounts.models import Employee
from accounts.services import scope_clause
from core.auth import Role
from core.timeutil import local_date
from training import qualifications as quals
from training.expiry import STATUS_BADGES
from training.hours import hours_summary
from training.labels import STATUS_LABELS


def my_card(user, now) -> dict:
    """The employee's certificates with their 90 / 30 / 0-day windows and hours against the requirement."""
    today = local_date(now)
    return {
        "windows": quals.employee_certificate_windows(user.employee, today),
        "hours": hours_summary(user.employee, today.year),
        "labels": STATUS_LABELS,
        "badges": STATUS_BADGES,
    }


def hr_card(user, now) -> dict:
    """Expiring certificates in scope and how many staff lack a required certificate (持证上岗)."""
    today = local_date(now)
    role = Role.ADMIN if user.has_any_role(Role.ADMIN) else Role.HR
    scope = scope_clause(user, role, Employee.department_id)
    expiring = quals.expiring_records(scope, today)
    return {
        "expiring": expiring[:8],
        "expiring_total": len(expiring),
        "urgent": sum(1 for r in expiring if (r.expires_on - today).days <= 30),
        "summary": quals.matrix_summary(quals.matrix_rows(scope, today)),
    }
