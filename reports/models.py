"""What the reports package stores itself: monthly service indicators (imported), the dashboard's settings
(thresholds, the team ranking's weights), report subscriptions and their deliveries.

Everything else a report shows is read from the other packages' records, by the dates in those records.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow


class ServiceIndicator(db.Model):
    """服务指标 of one employee in one month (guide 4.1): imported from the monthly workbook. A re-import
    of the month replaces the month's rows."""

    __tablename__ = "service_indicators"
    __table_args__ = (UniqueConstraint("employee_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)  # the first day of the month
    work_orders: Mapped[int] = mapped_column(Integer, default=0)  # 工单处理量
    satisfaction: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))  # 满意度, percent
    complaints: Mapped[int] = mapped_column(Integer, default=0)  # 投诉
    commendations: Mapped[int] = mapped_column(Integer, default=0)  # 表扬
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    employee: Mapped[Employee] = relationship()


class ReportSettings(db.Model):
    """One row: the dashboard's colour thresholds per measure and the weights of the team ranking."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # measure → {"green": n, "amber": n}: at or above green is green, at or above amber is amber, else red
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    # measure → weight (percent points) of the 班组 composite score
    team_weights: Mapped[dict] = mapped_column(JSON, default=dict)


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class ReportSubscription(db.Model):
    """An HR user's subscription to one unit's readiness summary, monthly or quarterly."""

    __tablename__ = "report_subscriptions"
    __table_args__ = (UniqueConstraint("unit_id", "recipient_id", "frequency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(String(20), default=Frequency.MONTHLY)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Department] = relationship()
    recipient: Mapped[User] = relationship()


class DeliveryStatus(enum.StrEnum):
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ReportDelivery(db.Model):
    """The once-record of one subscription's report for one period: the unique key makes a second worker or
    a retry find the period taken; only a failed delivery is tried again (or resent by an admin)."""

    __tablename__ = "report_deliveries"
    __audit__ = False
    __table_args__ = (
        UniqueConstraint("subscription_id", "period"),
        Index("ix_report_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("report_subscriptions.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(30))  # the period's token (2026-11, 2026Q4)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.SENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")

    subscription: Mapped[ReportSubscription] = relationship()


class AssignmentKind(enum.StrEnum):
    COURSE = "course"  # people of a position complete a course every N months
    RENEWAL = "renewal"  # holders of a certificate join its renewal exam N days before expiry


class AssignmentRule(db.Model):
    """自动指派规则. Made disabled, previewed, then enabled; the nightly job applies the enabled ones."""

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    every_months: Mapped[int | None] = mapped_column(Integer)
    certificate_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_types.id", ondelete="CASCADE")
    )
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column(Integer, default=90)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[dt.datetime | None]


class AssignmentRecord(db.Model):
    """Who a rule added, to what and why, once per rule, person and cycle (the unique key makes the job
    idempotent). The rows are the per-person record; each run also writes one audit entry."""

    __tablename__ = "assignment_records"
    __audit__ = False
    __table_args__ = (UniqueConstraint("rule_id", "employee_id", "cycle_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("assignment_rules.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    cycle_key: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(60))  # session:<id> or exam:<id>
    reason: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    employee: Mapped[Employee] = relationship()
