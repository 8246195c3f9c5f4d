"""Service-culture points (服务文化积分, guide 7.4) and service-star selection (服务之星, guide 7.2-7.3).

The ledger (``PointEntry``) is append-only: rows are inserted, never updated or deleted (a guard in
``incentives.ledger`` refuses both at flush time). A correction is a new, reversing entry. Balances are
always ``SUM(points)`` over the ledger; nothing stores a running total that could drift.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
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
from training.models import Certificate

POINTS = Numeric(9, 1)


class Trigger(enum.StrEnum):
    """What pays a rule: a domain event (automatic, via ``core.signals``) or a manual entry."""

    EXAM_PASSED = "exam_passed"  # 通过考试
    EXAM_EXCELLENT = "exam_excellent"  # 成绩达到优秀线 (score ≥ threshold % of the paper)
    EXAM_FIRST_ATTEMPT = "exam_first_attempt"  # 一次通过
    TRAINING_HOUR = "training_hour"  # 完成培训, per 学时
    QUALIFICATION = "qualification"  # 取得资质证书
    DRILL_PARTICIPATION = "drill_participation"  # 参加应急演练
    DRILL_EXCELLENT = "drill_excellent"  # 演练评估为优秀
    ACTION_ON_TIME = "action_on_time"  # 整改措施按期关闭
    PRACTICE_RIGHT = "practice_right"  # 自主练习答对 (one per question per day; off by default)
    MANUAL = "manual"  # 表扬、投诉、创新建议…: entered by staff, approved by HR


AUTOMATIC_TRIGGERS = tuple(t for t in Trigger if t != Trigger.MANUAL)


class RuleCategory(enum.StrEnum):
    EXAM = "exam"
    TRAINING = "training"
    DRILL = "drill"
    ACTION = "action"
    PRAISE = "praise"  # 表扬
    COMPLAINT = "complaint"  # 投诉 (counts for the tie-break and eligibility)
    INNOVATION = "innovation"  # 创新建议
    OTHER = "other"


class PeriodKind(enum.StrEnum):
    DAY = "day"  # a cap period only (practice points are capped per day); never a selection period
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the entry was wrong: a reversing entry was added
    DISMISSED = "dismissed"  # the entry stands


class SelectionStatus(enum.StrEnum):
    DRAFT = "draft"  # the unit is choosing
    NOMINATED = "nominated"  # waiting for HR
    PUBLISHED = "published"  # HR approved; on the honour roll


class PointRule(db.Model):
    """A way to earn (or lose) points, configured by HR."""

    __tablename__ = "point_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")  # how to earn, in plain words
    trigger: Mapped[str] = mapped_column(String(30), default=Trigger.MANUAL, index=True)
    category: Mapped[str] = mapped_column(String(20), default=RuleCategory.OTHER)
    # Points per event, or per 学时 for ``training_hour``; negative for deductions.
    points: Mapped[Decimal] = mapped_column(POINTS)
    evidence: Mapped[str] = mapped_column(String(300), default="")  # what evidence is required
    cap: Mapped[Decimal | None] = mapped_column(POINTS)  # most points (absolute) per cap period
    cap_period: Mapped[str] = mapped_column(String(10), default=PeriodKind.MONTH)
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))  # exam_excellent: minimum %
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_manual(self) -> bool:
        return self.trigger == Trigger.MANUAL


class PointEntry(db.Model):
    """One line of the points ledger. Append-only: never updated, never deleted.

    ``source_key`` names the event that paid it (``exam-attempt:42``, ``claim:7``, ``reversal:99``); the
    unique key (rule, source, employee) makes every automatic award idempotent.
    """

    __tablename__ = "point_entries"
    __table_args__ = (
        UniqueConstraint("rule_id", "source_key", "employee_id", name="uq_point_entries_source"),
        # Leaderboards sum points from these indexes alone (index-only scans): per person over a
        # period (a small unit, one employee's balance) and per period over everyone (a large unit).
        Index("ix_point_entries_employee_time", "employee_id", "occurred_at", "points"),
        Index("ix_point_entries_time_employee", "occurred_at", "employee_id", "points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("point_rules.id", ondelete="RESTRICT"))
    points: Mapped[Decimal] = mapped_column(POINTS)
    occurred_at: Mapped[dt.datetime]  # when the event happened: decides the period it counts in
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source_key: Mapped[str] = mapped_column(String(120))
    source_label: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )  # None: automatic
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("point_entries.id", ondelete="RESTRICT"), unique=True
    )

    employee: Mapped[Employee] = relationship()
    rule: Mapped[PointRule] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    reverses: Mapped[PointEntry | None] = relationship(
        remote_side="PointEntry.id", foreign_keys=[reverses_id]
    )

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PointClaim(db.Model):
    """A manual entry (praise, complaint, adopted proposal) waiting for HR: it counts only once approved,
    when the approval appends the ledger line."""

    __tablename__ = "point_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("point_rules.id", ondelete="RESTRICT"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    evidence_text: Mapped[str] = mapped_column(Text)
    attachment_path: Mapped[str | None] = mapped_column(String(200))  # generated name under UPLOAD_DIR
    attachment_name: Mapped[str | None] = mapped_column(String(200))  # shown only, never used as a path
    attachment_type: Mapped[str | None] = mapped_column(String(60))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.PENDING, index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("point_entries.id", ondelete="RESTRICT"))

    employee: Mapped[Employee] = relationship()
    rule: Mapped[PointRule] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    entry: Mapped[PointEntry | None] = relationship()


class Appeal(db.Model):
    """申诉: an employee disputes one ledger entry; HR upholds (reverses it) or dismisses, with a reason."""

    __tablename__ = "point_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("point_entries.id", ondelete="RESTRICT"), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.OPEN, index=True)
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    resolved_at: Mapped[dt.datetime | None]
    resolution: Mapped[str] = mapped_column(Text, default="")
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("point_entries.id", ondelete="RESTRICT"))

    entry: Mapped[PointEntry] = relationship(foreign_keys=[entry_id])
    employee: Mapped[Employee] = relationship()
    resolved_by: Mapped[User | None] = relationship()
    correction: Mapped[PointEntry | None] = relationship(foreign_keys=[correction_id])


class ExamScore(db.Model):
    """Read model of graded exam attempts, fed by ``core.signals.attempt_graded`` / ``exam_passed``.

    Decision: the star tie-break "higher average exam score" reads this small copy, keyed by the attempt
    (the signal's sender) and the event's ``source_key``, so incentives stays coupled to exams only through
    the documented signals. ``max_score`` comes with ``attempt_graded``; a sender that leaves it out is
    taken as scoring out of 100 (百分制).
    """

    __tablename__ = "incentive_exam_scores"
    __audit__ = False  # derived data, one row per graded attempt

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(Integer, unique=True)
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    exam_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    percentage: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    graded_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_incentive_exam_scores_employee_time", "employee_id", "graded_at"),)


class IncentiveSettings(db.Model):
    """One row of HR settings: leaderboard privacy and the default tie-breaks of a selection."""

    __tablename__ = "incentive_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Employees see only the top N of a leaderboard (plus their own line); None: everyone.
    employee_top_n: Mapped[int | None] = mapped_column(Integer, default=10)
    tie_breaks: Mapped[str] = mapped_column(String(200), default="fewest_complaints,higher_exam_average")
    default_nominees: Mapped[int] = mapped_column(Integer, default=3)


class StarSelection(db.Model):
    """服务之星 selection for one unit (a department subtree) and one period."""

    __tablename__ = "star_selections"
    __table_args__ = (UniqueConstraint("unit_id", "period_kind", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    period_kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # exclusive
    max_nominees: Mapped[int] = mapped_column(Integer, default=3)
    tie_breaks: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=SelectionStatus.DRAFT, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    nominated_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    published_at: Mapped[dt.datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Department] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    nominated_by: Mapped[User | None] = relationship(foreign_keys=[nominated_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    nominations: Mapped[list[StarNomination]] = relationship(
        back_populates="selection", cascade="all, delete-orphan", order_by="StarNomination.rank"
    )
    snapshots: Mapped[list[StarSnapshot]] = relationship(
        back_populates="selection", cascade="all, delete-orphan", order_by="StarSnapshot.version"
    )

    @property
    def snapshot(self) -> StarSnapshot | None:
        """The newest frozen version of the ranking (None until published)."""
        return self.snapshots[-1] if self.snapshots else None


class StarNomination(db.Model):
    """One nominee of a selection; once published, a service star with a commendation certificate."""

    __tablename__ = "star_nominations"
    __table_args__ = (UniqueConstraint("selection_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("star_selections.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    points: Mapped[Decimal] = mapped_column(POINTS)
    citation: Mapped[str] = mapped_column(Text)
    # The commendation certificate, issued on publication into training's verifiable certificate store
    # (kind ``commendation``, public page /verify/<code>).
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"))

    selection: Mapped[StarSelection] = relationship(back_populates="nominations")
    employee: Mapped[Employee] = relationship()
    certificate: Mapped[Certificate | None] = relationship()


class StarApprover(db.Model):
    """Who approves a unit's service-star nominations besides HR covering it and administrators: the
    unit's designated approver (for a unit with one HR officer, who may not approve what they nominated)."""

    __tablename__ = "star_approvers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    unit: Mapped[Department] = relationship()
    user: Mapped[User] = relationship()


class StarSnapshot(db.Model):
    """One version of a published selection's ranking, frozen: version 1 is taken at publication, each
    correction adds the next version (with who, when and why). Pages show the newest; older ones stay."""

    __tablename__ = "star_snapshots"
    __table_args__ = (UniqueConstraint("selection_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("star_selections.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")  # empty for the publication itself

    selection: Mapped[StarSelection] = relationship(back_populates="snapshots")
    taken_by: Mapped[User | None] = relationship()
    lines: Mapped[list[StarSnapshotLine]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", order_by="StarSnapshotLine.id"
    )


class StarSnapshotLine(db.Model):
    """One person as the frozen ranking shows them: names and reasons are copied, not looked up, so later
    changes to the person or the rules do not alter a published result. Reasons are in the site's language."""

    __tablename__ = "star_snapshot_lines"
    __audit__ = False  # written with their snapshot, which is audited

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("star_snapshots.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    employee_no: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(100), default="")
    points: Mapped[Decimal] = mapped_column(POINTS)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    exam_average: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    reasons: Mapped[str] = mapped_column(Text, default="")  # why not eligible, one per line; empty: eligible
    nominated: Mapped[bool] = mapped_column(Boolean, default=False)

    snapshot: Mapped[StarSnapshot] = relationship(back_populates="lines")

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split("\n") if r]
