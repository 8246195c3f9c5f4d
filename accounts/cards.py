"""Dashboard cards of people and access: the signed-in person's own card and HR's staff overview."""

from __future__ import annotations

from sqlalchemy import func, select

from accounts import services
from accounts.models import Employee, EmployeeStatus
from core.auth import Role
from core.extensions import db


def my_card(user, _now):
    """The signed-in person: name, number, department and post."""
    return {"employee": user.employee}


def staff_card(user, _now):
    """HR and admins: active staff in scope, and how many have not yet signed in for the first time."""
    role = Role.ADMIN if user.has_any_role(Role.ADMIN) else Role.HR
    total = db.session.scalar(
        select(func.count()).select_from(
            services.employees_query(user, role).where(Employee.status == EmployeeStatus.ACTIVE).subquery()
        )
    )
    pending = db.session.scalar(
        select(func.count()).select_from(
            services.employees_query(user, role)
            .where(Employee.user.has(must_change_password=True))
            .subquery()
        )
    )
    return {"total": total, "pending_first_login": pending}
