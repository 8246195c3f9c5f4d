"""Business rules for people and access: sign-in, passwords, sessions, departments, roles and scope."""

from __future__ import annotations

import datetime as dt
import secrets
import string

from flask import current_app
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import joinedload

from accounts.errors import AccountError, LoginFailed
from accounts.models import (
    Department,
    Employee,
    EmployeeStatus,
    Position,
    RoleGrant,
    TextSize,
    User,
    new_session_token,
)
from accounts.passwords import hash_password, needs_rehash, policy_problems, verify_password
from core import audit
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _

SCOPED_ROLES = (Role.TRAINER, Role.HR)


# ---------------------------------------------------------------- sign-in and passwords


def user_by_employee_no(employee_no: str) -> User | None:
    """The account of the employee with this 工号 (case-insensitive match on the stored form)."""
    return db.session.scalar(
        select(User).join(User.employee).where(Employee.employee_no == employee_no.strip().upper())
    )


def authenticate(employee_no: str, password: str, now: dt.datetime) -> User:
    """Check a sign-in; counts failures per account and locks the account after too many in a row."""
    user = user_by_employee_no(employee_no)
    if user is None:
        # Spend the same time as a real check so a missing account cannot be told apart by timing.
        verify_password(_dummy_hash(), password)
        raise LoginFailed(_("Employee number or password is wrong."))
    if user.locked_until and user.locked_until > now:
        verify_password(user.password_hash, password)  # same time as any other answer
        audit.record("auth.login_locked", user, user_id=user.id)
        raise LoginFailed(
            _(
                "Too many failed sign-ins. Try again after %(minutes)d minutes.",
                minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            )
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
        audit.record("auth.login_failed", user, user_id=user.id)
        raise LoginFailed(_("Employee number or password is wrong."))
    if not user.is_active:
        audit.record("auth.login_refused_inactive", user, user_id=user.id)
        raise LoginFailed(_("This account is disabled. Contact HR."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("auth.login", user, user_id=user.id)
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = hash_password(secrets.token_hex(8))
    return _DUMMY["hash"]


def end_sessions(user: User) -> None:
    """End every session of ``user`` (sign-out everywhere): their session token changes."""
    user.session_token = new_session_token()


def change_password(user: User, current: str, new: str, now: dt.datetime) -> None:
    """Change a password after checking the current one and the policy; ends other sessions."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("The current password is wrong."))
    if current == new:
        raise AccountError(_("The new password must differ from the current one."))
    problems = policy_problems(new, employee_no=user.employee.employee_no)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = now
    end_sessions(user)


def random_password(length: int = 12) -> str:
    """A random initial password (letters and digits, no look-alikes)."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not policy_problems(candidate):
            return candidate


def reset_password(user: User) -> str:
    """Give ``user`` a new random password that must be changed at the next sign-in; returns it once."""
    password = random_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user)
    return password


def set_text_size(user: User, size: str) -> None:
    """Keep the text size ``user`` chose for every page (标准 / 大 / 特大); the audit log records the change."""
    if size not in set(TextSize):
        raise AccountError(_("Choose one of the text sizes offered."))
    user.text_size = size
    db.session.flush()


def create_account(employee: Employee, *, password: str | None = None) -> tuple[User, str]:
    """Open an account for ``employee`` with a random initial password (returned once, never stored)."""
    password = password or random_password()
    user = User(employee=employee, password_hash=hash_password(password), must_change_password=True)
    db.session.add(user)
    return user, password


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    user.active = active
    if not active:
        end_sessions(user)


# ---------------------------------------------------------------- departments


def create_department(name: str, code: str, kind: str, parent: Department | None) -> Department:
    """Add a department under ``parent`` (None: a root)."""
    if db.session.scalar(select(Department.id).where(Department.code == code)):
        raise AccountError(_("Department code %(code)s is already used.", code=code))
    dept = Department(name=name, code=code, kind=kind, parent=parent)
    db.session.add(dept)
    db.session.flush()
    dept.path = (parent.path if parent else "/") + f"{dept.id}/"
    dept.depth = parent.depth + 1 if parent else 0
    return dept


def move_department(dept: Department, new_parent: Department | None) -> None:
    """Move ``dept`` (and its subtree) under ``new_parent``."""
    if new_parent is not None and new_parent.path.startswith(dept.path):
        raise AccountError(_("A department cannot move under itself."))
    old_path = dept.path
    new_path = (new_parent.path if new_parent else "/") + f"{dept.id}/"
    delta = (new_parent.depth + 1 if new_parent else 0) - dept.depth
    for node in db.session.scalars(select(Department).where(Department.path.startswith(old_path))):
        node.path = new_path + node.path[len(old_path) :]
        node.depth += delta
    dept.parent = new_parent


def department_tree() -> list[Department]:
    """Every department in tree order (parents before children, siblings by code)."""
    return list(db.session.scalars(select(Department).order_by(Department.path)))


def subtree_ids_query(roots: list[Department]) -> Select:
    return select(Department.id).where(or_(*(Department.path.startswith(r.path) for r in roots)))


# ---------------------------------------------------------------- scope


def scope_clause(user: User, role: str, department_column):
    """A SQL condition: ``department_column`` lies in a department ``user`` covers as ``role``."""
    if role == Role.ADMIN and user.has_any_role(Role.ADMIN):
        return department_column.is_not(None)
    roots = user.scope_roots(role)
    if roots is None:
        return department_column.is_not(None)
    if not roots:
        return false()
    return department_column.in_(subtree_ids_query(roots))


def covers_department(user: User, role: str, department: Department | None) -> bool:
    """True when ``user`` holds ``role`` over ``department`` (a scope root is an ancestor or itself)."""
    if department is None:
        return False
    roots = user.scope_roots(role)
    if roots is None:
        return True
    return any(department.path.startswith(r.path) for r in roots)


def can_manage_unit(user: User, department_id: int | None) -> bool:
    """The one rule for who manages a unit's content and events (courses, plans, sessions, exams, paper
    blueprints, drills): trainers over the unit and admins. Something company-wide (no unit: a shared
    category, the evaluation templates) needs an admin or a trainer whose scope is the whole company."""
    if user.has_any_role(Role.ADMIN):
        return True
    if not user.has_any_role(Role.TRAINER):
        return False
    if department_id is None:
        return user.scope_roots(Role.TRAINER) is None
    return covers_department(user, Role.TRAINER, db.session.get(Department, department_id))


def staff_roles_over(user: User, employee: Employee) -> set[str]:
    """The roles through which ``user`` may see ``employee``'s records (admin: everyone)."""
    roles = set()
    if user.has_any_role(Role.ADMIN):
        roles.add(Role.ADMIN)
    for role in SCOPED_ROLES:
        if user.has_any_role(role) and covers_department(user, role, employee.department):
            roles.add(role)
    return roles


def can_view_employee(user: User, employee: Employee) -> bool:
    """An employee sees only their own profile; trainers, HR (in scope) and admins see more."""
    return employee.id == user.employee_id or bool(staff_roles_over(user, employee))


def can_manage_record(user: User, employee: Employee) -> bool:
    """Whether ``user`` may edit ``employee``'s record and reset their password.

    Admins may edit anyone. HR may edit employees in their scope, except people whose accounts hold a
    staff role (trainer, HR, admin): those are managed by administrators. Otherwise a scoped HR user
    could reset an administrator's password, or disable them, and take over their powers."""
    if user.has_any_role(Role.ADMIN):
        return True
    if not (user.has_any_role(Role.HR) and covers_department(user, Role.HR, employee.department)):
        return False
    return employee.user is None or not employee.user.grants


def can_unmask_national_id(user: User, employee: Employee) -> bool:
    """Only HR in scope may see a full national ID number (and the read is audited)."""
    return user.has_any_role(Role.HR) and covers_department(user, Role.HR, employee.department)


def employees_query(user: User, role: str) -> Select:
    """Employees ``user`` may list as ``role``, with department and position loaded."""
    return (
        select(Employee)
        .options(joinedload(Employee.department), joinedload(Employee.position))
        .where(scope_clause(user, role, Employee.department_id))
    )


def departments_in_scope(user: User, role: str) -> list[Department]:
    """The departments ``user`` covers as ``role``, in tree order."""
    return list(
        db.session.scalars(
            select(Department).where(scope_clause(user, role, Department.id)).order_by(Department.path)
        )
    )


# ---------------------------------------------------------------- roles


def grant_role(user: User, role: str, department: Department | None) -> RoleGrant:
    """Give ``user`` a role; trainer and hr may be limited to ``department``'s subtree."""
    if role not in {Role.TRAINER, Role.HR, Role.ADMIN}:
        raise AccountError(_("Unknown role."))
    if role == Role.ADMIN:
        department = None
    for grant in user.grants:
        if grant.role == role and grant.department_id == (department.id if department else None):
            raise AccountError(_("The user already holds this role with this scope."))
    grant = RoleGrant(user=user, role=role, department=department)
    db.session.add(grant)
    return grant


def revoke_grant(grant: RoleGrant) -> None:
    """Take a role grant away."""
    grant.user.grants.remove(grant)


# ---------------------------------------------------------------- positions and employees


def position_by_name(name: str) -> Position | None:
    return db.session.scalar(select(Position).where(Position.name == name.strip()))


def set_employee_status(employee: Employee, status: str) -> None:
    """在岗 / 离岗 / 离职; leaving the company (离职) also ends the account's sessions."""
    employee.status = status
    if status == EmployeeStatus.LEFT and employee.user is not None:
        end_sessions(employee.user)
