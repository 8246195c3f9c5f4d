"""Emergency teams (应急队伍): standing teams of a department — repair crews, customer-service liaison
teams — whose members take part in drills (guide 6.2 item 4: 建立应急队伍，包括抢修人员、技术人员、管理人员).

A person belongs to one department (``Employee.department``) and may also belong to teams, each with a
team role. Membership has dates: a member joins on ``joined_on`` and stays active until ``left_on``
(exclusive); a member who left and comes back gets the same row reopened.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, Employee
from core.extensions import db
from core.models import utcnow


class TeamRole(enum.StrEnum):
    """A member's role in the team (guide 6.2/6.3: 抢修人员、技术人员、管理人员、后勤保障; the issue's 队长, 抢修, 客服)."""

    LEADER = "leader"  # 队长
    DEPUTY = "deputy"  # 副队长
    REPAIR = "repair"  # 抢修队员
    TECHNICAL = "technical"  # 技术支持
    CUSTOMER_SERVICE = "customer_service"  # 客服联络
    LOGISTICS = "logistics"  # 后勤保障


class EmergencyTeam(db.Model):
    """应急队伍 of a department (a unit or a section under it)."""

    __tablename__ = "drill_teams"
    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    duties: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.id"
    )


class TeamMember(db.Model):
    """One person in one team, with a team role; active from ``joined_on`` until ``left_on``."""

    __tablename__ = "drill_team_members"
    __table_args__ = (UniqueConstraint("team_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("drill_teams.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=TeamRole.REPAIR)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)

    team: Mapped[EmergencyTeam] = relationship(back_populates="members")
    employee: Mapped[Employee] = relationship()

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)
