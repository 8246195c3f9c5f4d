"""People and access: departments (a tree), positions, employees, user accounts and role grants."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth import Role
from core.extensions import db
from core.models import utcnow


class DepartmentKind(enum.StrEnum):
    COMPANY = "company"  # 公司
    BRANCH = "branch"  # 分公司
    CENTER = "center"  # 客服中心
    STATION = "station"  # 供电所
    TEAM = "team"  # 班组


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"  # 在岗
    LEFT = "left"  # 离职: left the company (account disabled, records kept)
    OFF_POST = "off_post"  # 离岗: temporarily off post (leave, secondment); the account stays enabled


class TextSize(enum.StrEnum):
    """The text size a person chose for every page (``<html class="text-size-…">``; static/css/app.css)."""

    STANDARD = "standard"  # 标准
    LARGE = "large"  # 大: 125 %
    EXTRA_LARGE = "xlarge"  # 特大: 150 %


class Department(db.Model):
    """A node of the organisation tree. ``path`` is ``/1/5/12/`` (ids from the root), so a subtree is
    one indexed prefix query."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=DepartmentKind.TEAM)
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Department | None] = relationship(remote_side="Department.id", back_populates="children")
    children: Mapped[list[Department]] = relationship(back_populates="parent", order_by="Department.code")

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class Position(db.Model):
    """岗位: a post in the catalogue, with the training hours it requires per year."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    annual_training_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal(0))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Employee(db.Model):
    __tablename__ = "employees"
    __audit_redact__ = ("national_id", "phone")

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(30), unique=True)  # 工号
    name: Mapped[str] = mapped_column(String(60), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="RESTRICT"), index=True)
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    national_id: Mapped[str | None] = mapped_column(String(18), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=EmployeeStatus.ACTIVE, index=True)
    # A fictitious person of the demo organisation (``flask seed-demo``); ``flask accounts remove-demo``
    # takes them out again.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    department: Mapped[Department] = relationship()
    position: Mapped[Position] = relationship()
    user: Mapped[User | None] = relationship(back_populates="employee", uselist=False)

    def __repr__(self) -> str:
        return f"<Employee {self.employee_no} {self.name}>"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A sign-in account for one employee. ``session_token`` is Flask-Login's alternative id: changing it
    (password change, logout, disabling) ends every session of the account."""

    __tablename__ = "users"
    __audit_redact__ = ("password_hash", "session_token")

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    text_size: Mapped[str] = mapped_column(String(10), default=TextSize.STANDARD, server_default="standard")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    employee: Mapped[Employee] = relationship(back_populates="user", lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and self.employee.status != EmployeeStatus.LEFT

    @property
    def email(self) -> str | None:
        return self.employee.email

    @property
    def display_name(self) -> str:
        return self.employee.name

    @property
    def roles(self) -> set[str]:
        """Every user is an employee; trainer, hr and admin come from grants."""
        return {Role.EMPLOYEE, *(g.role for g in self.grants)}

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def scope_roots(self, role: str) -> list[Department] | None:
        """The departments whose subtrees ``role`` covers for this user; None means the whole company."""
        grants = [g for g in self.grants if g.role == role]
        if not grants:
            return []
        if any(g.department_id is None for g in grants):
            return None
        return [g.department for g in grants]


class RoleGrant(db.Model):
    """A role held by a user, optionally scoped to a department subtree (trainer and hr)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="grants")
    department: Mapped[Department | None] = relationship(lazy="joined")
