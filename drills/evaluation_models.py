"""Evaluation templates (groups and criteria), evaluators' forms and ratings, the lead evaluator's
settlements, findings and corrective actions with their status history."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from accounts.models import Department, Employee
from core.extensions import db
from core.models import utcnow
from drills.models import Drill
from question_bank.models import KnowledgePoint


class Method(enum.StrEnum):
    OBSERVATION = "observation"  # 观察
    TIMING = "timing"  # 计时
    RECORDS = "records"  # 查阅记录
    INTERVIEW = "interview"  # 访谈


class Level(enum.StrEnum):
    """HSEEP ratings: Performed without challenges / with Some / with Major challenges / Unable."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"
    NA = "NA"


class FormKind(enum.StrEnum):
    EVALUATOR = "evaluator"
    SELF = "self"  # a participant's self-assessment: stored, weight 0


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class FindingKind(enum.StrEnum):
    STRENGTH = "strength"
    IMPROVEMENT = "improvement"  # area for improvement


class Severity(enum.StrEnum):
    DEFICIENCY = "deficiency"  # 不足项
    CORRECTIVE = "corrective"  # 整改项
    IMPROVEMENT = "improvement"  # 改进项


class Element(enum.StrEnum):
    PLAN = "plan"  # 预案
    ORGANISATION = "organisation"  # 组织
    PEOPLE = "people"  # 人员
    MECHANISM = "mechanism"  # 机制
    SUPPORT = "support"  # 保障


class ActionStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    CLOSED = "closed"
    DEFERRED = "deferred"
    REJECTED = "rejected"


OPEN_ACTION = (ActionStatus.ASSIGNED, ActionStatus.IN_PROGRESS)  # an open action can be overdue


class EvaluationTemplate(db.Model):
    __tablename__ = "drill_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    groups: Mapped[list[CriterionGroup]] = relationship(
        back_populates="template", order_by="CriterionGroup.position", cascade="all, delete-orphan"
    )


class CriterionGroup(db.Model):
    """A group of criteria along the response flow. ``content_types``: the drill content types the group
    applies to (empty: every drill); a group that applies to none of a drill's types drops out."""

    __tablename__ = "drill_criterion_groups"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("drill_templates.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_types: Mapped[list] = mapped_column(JSON, default=list)

    template: Mapped[EvaluationTemplate] = relationship(back_populates="groups")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="group", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    __tablename__ = "drill_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("drill_criterion_groups.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(8), index=True)
    text: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20), default=Method.OBSERVATION)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    checklist: Mapped[bool] = mapped_column(Boolean, default=False)  # 是/否 item: 是 → P, 否 → U
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The knowledge point (question_bank's one vocabulary) this criterion checks.
    knowledge_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_points.id", ondelete="SET NULL"), index=True
    )

    group: Mapped[CriterionGroup] = relationship(back_populates="criteria")
    knowledge_point: Mapped[KnowledgePoint | None] = relationship()


class EvaluationSheet(db.Model):
    """An evaluation sheet (评估表): one evaluator's ratings of a drill, or one participant's self-assessment;
    locked once submitted. (Not a WTForms form: the table keeps its old name ``drill_evaluation_forms``.)"""

    __tablename__ = "drill_evaluation_forms"
    __table_args__ = (UniqueConstraint("drill_id", "evaluator_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20), default=FormKind.EVALUATOR)
    status: Mapped[str] = mapped_column(String(20), default=FormStatus.DRAFT)
    strengths: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None]

    drill: Mapped[Drill] = relationship()
    evaluator: Mapped[Employee] = relationship()
    ratings: Mapped[list[Rating]] = relationship(back_populates="form", cascade="all, delete-orphan")


class Rating(db.Model):
    __tablename__ = "drill_ratings"
    __table_args__ = (UniqueConstraint("form_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("drill_evaluation_forms.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("drill_criteria.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(2))
    comment: Mapped[str] = mapped_column(Text, default="")

    form: Mapped[EvaluationSheet] = relationship(back_populates="ratings")
    criterion: Mapped[Criterion] = relationship()


class Settlement(db.Model):
    """The lead evaluator's ruling on a criterion whose ratings spread two or more levels."""

    __tablename__ = "drill_settlements"
    __table_args__ = (UniqueConstraint("drill_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("drill_criteria.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(2))
    note: Mapped[str] = mapped_column(Text)
    settled_by_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    settled_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Finding(db.Model):
    """A strength or an area for improvement found by the evaluation."""

    __tablename__ = "drill_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=FindingKind.IMPROVEMENT)
    severity: Mapped[str | None] = mapped_column(String(20))
    suggested_severity: Mapped[str | None] = mapped_column(String(20))
    element: Mapped[str] = mapped_column(String(20), default=Element.ORGANISATION)
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("drill_criteria.id", ondelete="SET NULL"))
    group_code: Mapped[str | None] = mapped_column(String(4))
    criterion_code: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("drill_plan_versions.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    drill: Mapped[Drill] = relationship()
    criterion: Mapped[Criterion | None] = relationship()
    actions: Mapped[list[CorrectiveAction]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="CorrectiveAction.id"
    )


class CorrectiveAction(db.Model):
    """整改措施: who fixes a finding, by when, with what evidence; closed only after verification."""

    __tablename__ = "drill_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("drill_findings.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.ASSIGNED, index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    due_soon_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    overdue_reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_overdue_reminder_on: Mapped[dt.date | None] = mapped_column(Date)

    finding: Mapped[Finding] = relationship(back_populates="actions")
    owner: Mapped[Employee | None] = relationship()
    unit: Mapped[Department] = relationship()
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionEvent.id"
    )

    def is_overdue(self, today: dt.date) -> bool:
        """Still open (assigned or in progress) after its due date (the overdue reminders' rule)."""
        return self.status in OPEN_ACTION and self.due_date is not None and self.due_date < today


class ActionEvent(db.Model):
    """One status change of a corrective action, with its reason."""

    __tablename__ = "drill_action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("drill_actions.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    details: Mapped[dict | None] = mapped_column(JSON)

    action: Mapped[CorrectiveAction] = relationship(back_populates="events")
    by: Mapped[Employee | None] = relationship()


class IssuedReport(db.Model):
    """One issued version of a drill's evaluation report: the PDF as it was issued, never re-rendered.

    A re-issue adds the next version with its own date and names the version it supersedes."""

    __tablename__ = "drill_issued_reports"
    __table_args__ = (UniqueConstraint("drill_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("drill_issued_reports.id", ondelete="SET NULL")
    )
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))

    drill: Mapped[Drill] = relationship()
    issued_by: Mapped[Employee | None] = relationship()
    supersedes: Mapped[IssuedReport | None] = relationship(remote_side="IssuedReport.id")
