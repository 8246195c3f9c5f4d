"""An empty installation's first administrator (``flask accounts create-admin``).

Every person belongs to a department and holds a position, and an empty database has neither. The first
administrator therefore goes into the root of the department tree, which is created when there is none
(kind 公司, code ``ROOT``, the name given or 本单位; rename it on the departments page), and holds the post
系统管理员 (code ``SYSADMIN``, no yearly training hours, no certificate required), created when missing.
A later roster row with the same 工号 moves them to their real department and post.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import or_, select

from accounts.errors import AccountError
from accounts.models import Department, DepartmentKind, Employee, EmployeeStatus, Position, RoleGrant, User
from accounts.passwords import policy_problems
from accounts.services import create_account, create_department, grant_role
from core import audit
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _

ROOT_CODE = "ROOT"
DEFAULT_ROOT_NAME = "本单位"
ADMIN_POSITION = ("SYSADMIN", "系统管理员")
_EMPLOYEE_NO_RE = re.compile(r"^[A-Z0-9-]{2,30}$")


def active_administrators() -> list[User]:
    """Accounts that hold the admin role, are enabled, and whose person is still 在岗."""
    return list(
        db.session.scalars(
            select(User)
            .join(User.employee)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.ADMIN,
                User.active.is_(True),
                Employee.status == EmployeeStatus.ACTIVE,
            )
            .order_by(Employee.employee_no)
        ).unique()
    )


def create_administrator(
    employee_no: str,
    name: str,
    password: str,
    *,
    another: bool = False,
    department_code: str | None = None,
    root_name: str | None = None,
    position_name: str | None = None,
) -> User:
    """Create a person with an administrator account that must change ``password`` at first sign-in.
    Refused while an active administrator exists, unless ``another`` is asked for."""
    employee_no = employee_no.strip().upper()
    name = name.strip()
    admins = active_administrators()
    if admins and not another:
        raise AccountError(
            _(
                "An active administrator already exists (%(numbers)s); ask for another one explicitly.",
                numbers=", ".join(a.employee.employee_no for a in admins),
            )
        )
    _check_person(employee_no, name, password)
    department = _department(department_code, root_name)
    position = _position(position_name)
    employee = Employee(employee_no=employee_no, name=name, department=department, position=position)
    db.session.add(employee)
    user, _password = create_account(employee, password=password)
    db.session.flush()
    grant_role(user, Role.ADMIN, None)
    db.session.flush()
    audit.record(
        "accounts.create_admin",
        user,
        employee_no=employee_no,
        department=department.code,
        position=position.code,
        another=bool(admins),
    )
    return user


def _check_person(employee_no: str, name: str, password: str) -> None:
    if not _EMPLOYEE_NO_RE.match(employee_no):
        raise AccountError(_("Employee number may hold only letters, digits and '-' (2–30 characters)."))
    if not name or len(name) > 60:
        raise AccountError(_("Give a name of at most 60 characters."))
    if db.session.scalar(select(Employee.id).where(Employee.employee_no == employee_no)):
        raise AccountError(_("Employee number %(no)s is already used.", no=employee_no))
    problems = policy_problems(password, employee_no=employee_no)
    if problems:
        raise AccountError(" ".join(problems))


def _department(code: str | None, root_name: str | None) -> Department:
    """The named department; else the one root of the tree; else a new root."""
    if code:
        department = db.session.scalar(select(Department).where(Department.code == code.strip()))
        if department is None:
            raise AccountError(_("Unknown department %(name)s.", name=code))
        return department
    roots = list(db.session.scalars(select(Department).where(Department.parent_id.is_(None))))
    if len(roots) == 1:
        return roots[0]
    if roots:
        raise AccountError(_("The department tree has several roots; name the department by its code."))
    return create_department(root_name or DEFAULT_ROOT_NAME, ROOT_CODE, DepartmentKind.COMPANY, None)


def _position(name: str | None) -> Position:
    """The named post; else 系统管理员, created when missing."""
    if name:
        position = db.session.scalar(select(Position).where(Position.name == name.strip()))
        if position is None:
            raise AccountError(_("Unknown position %(name)s.", name=name))
        return position
    code, title = ADMIN_POSITION
    position = db.session.scalar(select(Position).where(or_(Position.code == code, Position.name == title)))
    if position is None:
        position = Position(code=code, name=title, annual_training_hours=Decimal(0))
        db.session.add(position)
    return position
