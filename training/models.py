"""Training and qualifications: courses, plans, sessions, attendance, hours, certificate types,
qualification records and issued (PDF) certificates."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from accounts.models import Department, Employee, Position
from core.extensions import db
from core.models import utcnow
from question_bank.models import KnowledgePoint


class CourseFormat(enum.StrEnum):
    """guide 6.4: the four training forms."""

    CLASSROOM = "classroom"  # 集中培训
    ONLINE = "online"  # 在线培训
    FIELD_DRILL = "field_drill"  # 现场演练
    SIMULATION = "simulation"  # 模拟演练


class PlanPeriod(enum.StrEnum):
    YEAR = "year"
    H1 = "h1"
    H2 = "h2"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class HoursSource(enum.StrEnum):
    COURSE = "course"  # a completed course (attendance, plus the linked exam when there is one)
    DRILL = "drill"  # drill participation (core.signals.drill_participated)
    MANUAL = "manual"  # recorded by HR (e.g. external training)


class CertificateKind(enum.StrEnum):
    QUALIFICATION = "qualification"
    TRAINING_COMPLETION = "training_completion"
    COMMENDATION = "commendation"


class TypeOrigin(enum.StrEnum):
    INTERNAL = "internal"  # granted here: exam passed or course completed
    EXTERNAL = "external"  # issued elsewhere, recorded by HR from a scan


course_positions = Table(
    "course_positions",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
)

plan_item_departments = Table(
    "plan_item_departments",
    db.metadata,
    Column("plan_item_id", ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)

plan_item_positions = Table(
    "plan_item_positions",
    db.metadata,
    Column("plan_item_id", ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
)

certificate_type_positions = Table(
    "certificate_type_positions",
    db.metadata,
    Column("certificate_type_id", ForeignKey("certificate_types.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
)


class StoredFile(db.Model):
    """An uploaded file kept under UPLOAD_DIR with a generated name (never the uploaded one)."""

    __tablename__ = "training_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))  # shown to users only, never used as a path
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


course_knowledge_points = Table(
    "course_knowledge_points",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("knowledge_point_id", ForeignKey("knowledge_points.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):
    """课程. ``department_id`` is the owning unit (None: company-wide, managed by unscoped trainers)."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    guide_chapters: Mapped[str] = mapped_column(String(100), default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal(0))
    form: Mapped[str] = mapped_column(String(20), default=CourseFormat.CLASSROOM)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    requires_exam: Mapped[bool] = mapped_column(Boolean, default=False)
    # The exams package owns exams; the lead wires the foreign key at merge time.
    linked_exam_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # An internal certificate type granted to whoever completes the course (optional).
    grants_certificate_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_types.id", ondelete="SET NULL")
    )
    issues_completion_certificate: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    positions: Mapped[list[Position]] = relationship(secondary=course_positions, order_by=Position.code)
    knowledge_points: Mapped[list[KnowledgePoint]] = relationship(
        secondary=course_knowledge_points, order_by=KnowledgePoint.name
    )
    materials: Mapped[list[CourseMaterial]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseMaterial.id"
    )
    grants_certificate_type: Mapped[CertificateType | None] = relationship()


class CourseMaterial(db.Model):
    """A course file (stored upload) or a link."""

    __tablename__ = "course_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("training_files.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="materials")
    file: Mapped[StoredFile | None] = relationship()


class TrainingPlan(db.Model):
    """培训计划 of one unit for a year or half-year."""

    __tablename__ = "training_plans"
    __table_args__ = (UniqueConstraint("unit_id", "year", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10), default=PlanPeriod.YEAR)
    title: Mapped[str] = mapped_column(String(200))
    cloned_from_id: Mapped[int | None] = mapped_column(ForeignKey("training_plans.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Department] = relationship()
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="(PlanItem.planned_month, PlanItem.id)"
    )


class PlanItem(db.Model):
    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    planned_month: Mapped[int] = mapped_column(Integer)
    planned_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    headcount: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[TrainingPlan] = relationship(back_populates="items")
    course: Mapped[Course] = relationship()
    trainer: Mapped[Employee | None] = relationship()
    departments: Mapped[list[Department]] = relationship(
        secondary=plan_item_departments, order_by=Department.code
    )
    positions: Mapped[list[Position]] = relationship(secondary=plan_item_positions, order_by=Position.code)


class TrainingSession(db.Model):
    """培训班 / 场次: one delivery of a course."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_items.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    self_enrolment: Mapped[bool] = mapped_column(Boolean, default=True)
    walk_ins: Mapped[bool] = mapped_column(Boolean, default=False)  # on-the-spot registration once started
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    delivered_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    plan_item: Mapped[PlanItem | None] = relationship()
    department: Mapped[Department] = relationship()
    trainer: Mapped[Employee | None] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Enrolment.id"
    )


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("session_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ENROLLED)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # waiting-list order
    attended_at: Mapped[dt.datetime | None]
    checkin_method: Mapped[str | None] = mapped_column(String(10))  # qr / trainer
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # checked in after the start
    checked_out_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]  # attendance confirmed: check-out after the end, or the trainer
    completed_at: Mapped[dt.datetime | None]

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    employee: Mapped[Employee] = relationship()


class CourseExamPass(db.Model):
    """A pass of a course's linked exam, reported by the exams package (idempotent per source_key)."""

    __tablename__ = "course_exam_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    passed_at: Mapped[dt.datetime]


class CourseCompletion(db.Model):
    """A completed course: the basis of coverage and of the course's hours."""

    __tablename__ = "course_completions"
    __table_args__ = (Index("ix_course_completions_course_employee", "course_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL"), unique=True
    )
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    completed_at: Mapped[dt.datetime]
    completed_on: Mapped[dt.date] = mapped_column(Date, index=True)  # Asia/Shanghai calendar date

    course: Mapped[Course] = relationship()
    employee: Mapped[Employee] = relationship()


class HoursEntry(db.Model):
    """学时 ledger: one row per credited event, unique per source_key (replays credit nothing)."""

    __tablename__ = "training_hours"
    __table_args__ = (Index("ix_training_hours_employee_day", "employee_id", "earned_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    source: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    earned_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CertificateType(db.Model):
    """资质证书类型; ``positions`` are the posts that require it (the 持证上岗 matrix)."""

    __tablename__ = "certificate_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    validity_months: Mapped[int | None] = mapped_column(Integer)  # None: never expires
    issuer: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20), default=TypeOrigin.INTERNAL)
    number_prefix: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    positions: Mapped[list[Position]] = relationship(
        secondary=certificate_type_positions, order_by=Position.code
    )


class Certificate(db.Model):
    """An issued certificate document (generic: qualifications, course completions, commendations).

    Rendered once at issue and never changed: ``pdf`` and ``sha256`` are fixed. A reissue adds a new
    version in the same ``series_key`` and marks this one superseded."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("series_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(60), index=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200))
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    source_key: Mapped[str] = mapped_column(String(160), unique=True)
    series_key: Mapped[str] = mapped_column(String(160), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    extra: Mapped[dict | None] = mapped_column(JSON)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[dt.datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    employee: Mapped[Employee] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side="Certificate.id")


class QualificationRecord(db.Model):
    """One issue of a certificate type to an employee. The current record of (employee, type) has
    ``superseded_at`` empty; renewals add a record and supersede the old one (the renewal history)."""

    __tablename__ = "qualification_records"
    __table_args__ = (
        Index(
            "uq_qualification_records_current",
            "employee_id",
            "certificate_type_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    certificate_type_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_types.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    source_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("training_files.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    employee: Mapped[Employee] = relationship()
    certificate_type: Mapped[CertificateType] = relationship()
    certificate: Mapped[Certificate | None] = relationship()
    scan: Mapped[StoredFile | None] = relationship()


class ExpiryReminder(db.Model):
    """A reminder sent for one record and one window (90 / 30 / 0 days): never sent twice."""

    __tablename__ = "expiry_reminders"
    __audit__ = False
    __table_args__ = (UniqueConstraint("record_id", "window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("qualification_records.id", ondelete="CASCADE"))
    window: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime]
