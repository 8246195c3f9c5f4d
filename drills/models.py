"""Emergency plans (应急预案) with versions, drills (应急演练) with participants and scenario injects,
the drill settings row and the compliance-notice log.

Evaluation templates, forms, findings and corrective actions are in ``drills/evaluation_models.py``.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow

if TYPE_CHECKING:
    from drills.team_models import EmergencyTeam


class IncidentType(enum.StrEnum):
    """The seven incident types of the plan catalogue (guide 6.1)."""

    BLACKOUT = "blackout"  # 大面积停电
    EQUIPMENT = "equipment"  # 设备故障
    SERVICE_SYSTEM = "service_system"  # 营销/客服系统故障 (95598)
    NATURAL = "natural"  # 自然灾害 (台风/冰雪/洪涝)
    CYBER = "cyber"  # 网络与信息安全事件
    MAJOR_EVENT = "major_event"  # 重大活动保电
    MASS_INCIDENT = "mass_incident"  # 群体性事件


class DrillFormat(enum.StrEnum):
    """How a drill is held (演练形式); stored in ``Drill.form``."""

    TABLETOP = "tabletop"  # 桌面演练
    LIVE = "live"  # 实战演练


class DrillScope(enum.StrEnum):
    SINGLE = "single"  # 单项
    FULL = "full"  # 综合


class DrillPurpose(enum.StrEnum):
    TESTING = "testing"  # 检验性
    DEMONSTRATION = "demonstration"  # 示范性
    RESEARCH = "research"  # 研究性


class ContentType(enum.StrEnum):
    """Drill content types (guide 6.4)."""

    SIMULATED_EVENT = "simulated_event"  # 模拟突发事件
    RESPONSE = "response"  # 应急响应演练
    CUSTOMER_COMMS = "customer_comms"  # 客户沟通演练
    MATERIALS = "materials"  # 应急物资调配演练


class DrillStatus(enum.StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    CONDUCTED = "conducted"
    EVALUATING = "evaluating"
    REPORTED = "reported"
    IMPROVING = "improving"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# Lifecycle order (cancelled is outside it).
STATUS_ORDER = [
    DrillStatus.PLANNED,
    DrillStatus.APPROVED,
    DrillStatus.CONDUCTED,
    DrillStatus.EVALUATING,
    DrillStatus.REPORTED,
    DrillStatus.IMPROVING,
    DrillStatus.CLOSED,
]


class ParticipantRole(enum.StrEnum):
    COMMANDER = "commander"  # 总指挥
    CONTROLLER = "controller"  # 导调
    EVALUATOR = "evaluator"  # 评估员
    PLAYER = "player"  # 参演
    OBSERVER = "observer"  # 观摩


class Tier(enum.StrEnum):
    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    PASS = "pass"  # 合格  # noqa: S105 — a tier name, not a password
    FAIL = "fail"  # 不合格


PASSING_TIERS = (Tier.EXCELLENT, Tier.GOOD, Tier.PASS)


class PlanRevisionDecision(enum.StrEnum):
    REVISE = "revise"  # the plan is revised (a new version drafted)
    NO_CHANGE = "no_change"  # reviewed; the plan stays as it is


class PlanVersionStatus(enum.StrEnum):
    DRAFT = "draft"
    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"


class EmergencyPlan(db.Model):
    """应急预案: one incident type's plan. A plan applies to the units of ``unit_kinds`` (empty: every
    unit) within ``department``'s subtree (None: the whole company); that defines "the unit's plans"
    for rule R2."""

    __tablename__ = "drill_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    incident_type: Mapped[str] = mapped_column(String(30), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    unit_kinds: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number", cascade="all, delete-orphan"
    )

    @property
    def effective_version(self) -> PlanVersion | None:
        effective = [v for v in self.versions if v.status == PlanVersionStatus.EFFECTIVE]
        return effective[-1] if effective else None


class PlanVersion(db.Model):
    """One version of a plan; a revision starts as a draft and becomes effective when approved."""

    __tablename__ = "drill_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("drill_plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PlanVersionStatus.DRAFT)
    summary: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    source_drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    effective_at: Mapped[dt.datetime | None]

    plan: Mapped[EmergencyPlan] = relationship(back_populates="versions")
    levels: Mapped[list[PlanLevel]] = relationship(
        back_populates="version", order_by="PlanLevel.level", cascade="all, delete-orphan"
    )


class PlanLevel(db.Model):
    """一级 / 二级 / 三级 of a plan version: what triggers it, the response standard, who is responsible."""

    __tablename__ = "drill_plan_levels"
    __table_args__ = (UniqueConstraint("version_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("drill_plan_versions.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)  # 1 = 一级 (major) … 3 = 三级 (general)
    trigger: Mapped[str] = mapped_column(Text, default="")
    response_standard: Mapped[str] = mapped_column(Text, default="")
    responsible_roles: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[PlanVersion] = relationship(back_populates="levels")


class Drill(db.Model):
    """应急演练 of one unit against one plan."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("drill_plans.id", ondelete="RESTRICT"), index=True)
    incident_type: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer, default=3)  # simulated 一级/二级/三级
    form: Mapped[str] = mapped_column(String(20), default=DrillFormat.TABLETOP)
    scope: Mapped[str] = mapped_column(String(20), default=DrillScope.FULL)
    purpose: Mapped[str] = mapped_column(String(20), default=DrillPurpose.TESTING)
    content_types: Mapped[list] = mapped_column(JSON, default=list)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    director_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    lead_evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("drill_templates.id", ondelete="RESTRICT"))
    objectives: Mapped[str] = mapped_column(Text, default="")
    scenario: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DrillStatus.PLANNED, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[dt.datetime | None]
    conducted_at: Mapped[dt.datetime | None]
    reported_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # The result, fixed when the report is issued.
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    tier: Mapped[str | None] = mapped_column(String(20))
    critical_failure: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")
    plan_decision: Mapped[str | None] = mapped_column(String(20))
    plan_decision_note: Mapped[str] = mapped_column(Text, default="")
    # Participants' hotwash feedback is shown to evaluators without names (the default) or with them.
    feedback_anonymous: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Department] = relationship()
    plan: Mapped[EmergencyPlan] = relationship()
    director: Mapped[Employee | None] = relationship(foreign_keys=[director_id])
    lead_evaluator: Mapped[Employee | None] = relationship(foreign_keys=[lead_evaluator_id])
    participants: Mapped[list[DrillParticipant]] = relationship(
        back_populates="drill", cascade="all, delete-orphan", order_by="DrillParticipant.id"
    )
    injects: Mapped[list[DrillInject]] = relationship(
        back_populates="drill", cascade="all, delete-orphan", order_by="DrillInject.offset_minutes"
    )

    @property
    def hours(self) -> Decimal:
        """The drill's duration in hours (one decimal), the training hours a participant earns."""
        seconds = int((self.ends_at - self.starts_at).total_seconds())
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))

    @property
    def counted(self) -> bool:
        return self.tier in PASSING_TIERS


class DrillParticipant(db.Model):
    __tablename__ = "drill_participants"
    __table_args__ = (UniqueConstraint("drill_id", "employee_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=ParticipantRole.PLAYER)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # the person confirmed the role they were given (drills.roles); NULL while unconfirmed
    confirmed_at: Mapped[dt.datetime | None]
    # the emergency team (drills.team_models) the person was picked with, if any
    team_id: Mapped[int | None] = mapped_column(ForeignKey("drill_teams.id", ondelete="SET NULL"))

    drill: Mapped[Drill] = relationship(back_populates="participants")
    employee: Mapped[Employee] = relationship()
    team: Mapped[EmergencyTeam | None] = relationship("EmergencyTeam")  # drills/team_models.py


class DrillInject(db.Model):
    """One step of the scenario timeline (the MSEL): at T+minutes, this event; the expected action; who
    acts. While the drill runs, a controller releases it (server time) or skips it with a reason; an
    inject added during the drill is ``unplanned``."""

    __tablename__ = "drill_injects"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    event: Mapped[str] = mapped_column(Text)
    expected_action: Mapped[str] = mapped_column(Text, default="")
    responsible_role: Mapped[str] = mapped_column(String(100), default="")
    unplanned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    released_at: Mapped[dt.datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    skipped_at: Mapped[dt.datetime | None]
    skipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    skip_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    drill: Mapped[Drill] = relationship(back_populates="injects")
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])
    skipped_by: Mapped[User | None] = relationship(foreign_keys=[skipped_by_id])

    @property
    def planned_at(self) -> dt.datetime:
        return self.drill.starts_at + dt.timedelta(minutes=self.offset_minutes)


class DrillSettings(db.Model):
    """The configurable thresholds of the compliance rules and the evaluation tiers (one row, id 1).
    Absent row: the defaults in ``drills.compliance.DEFAULTS``."""

    __tablename__ = "drill_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    amber_days: Mapped[int] = mapped_column(Integer, default=60)
    escalation_days: Mapped[int] = mapped_column(Integer, default=30)
    red_days: Mapped[int] = mapped_column(Integer, default=10)
    report_due_days: Mapped[int] = mapped_column(Integer, default=15)
    coverage_half_years: Mapped[int] = mapped_column(Integer, default=4)
    tier_excellent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(90))
    tier_good: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(80))
    tier_pass: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(70))
    deficiency_due_days: Mapped[int] = mapped_column(Integer, default=30)
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=7)
    rules_start: Mapped[str] = mapped_column(String(6), default="2025H1")
    unit_kinds: Mapped[list] = mapped_column(JSON, default=lambda: ["branch", "center", "station"])
    # emergency-team members with no drill in this many months are listed on the board
    team_lapse_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")


class ComplianceNotice(db.Model):
    """The last compliance state notified for a unit's half year, so ``flask drills notify`` never
    sends the same state twice."""

    __tablename__ = "drill_compliance_notices"
    __audit__ = False
    __table_args__ = (UniqueConstraint("unit_id", "half_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    half_year: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[dt.date] = mapped_column(Date)
