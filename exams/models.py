"""Exams: paper blueprints (组卷规则), exams (考试安排), their audience, attempts and the attempt's items.

An attempt's paper is frozen at start as ``AttemptItem`` rows, one per question drawn, each pointing at an
immutable ``QuestionVersion``, with the points it carries on this paper and the candidate's option order.
The candidate's answer lives on the same row (``response`` with the client's sequence number ``seq``):
saving is one conditional UPDATE. Items are high volume, so they opt out of the automatic audit; start,
submit, manual grading and regrading are audited explicitly instead.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow
from exams.grading import MultipleRule
from question_bank.models import Question, QuestionVersion


class ExamPurpose(enum.StrEnum):
    CERTIFICATION = "certification"  # 资格认证考试
    ASSESSMENT = "assessment"  # 培训考核
    PRACTICE = "practice"  # 练习


class GradingMethod(enum.StrEnum):
    HIGHEST = "highest"
    LAST = "last"


class ResultsRelease(enum.StrEnum):
    IMMEDIATE = "immediate"
    AFTER_CLOSE = "after_close"
    AFTER_GRADING = "after_grading"


class AttemptStatus(enum.StrEnum):
    OPEN = "open"  # in progress
    SUBMITTED = "submitted"  # submitted; essays wait for a grader
    GRADED = "graded"  # every item has a mark: the score is final


class AudienceKind(enum.StrEnum):
    DEPARTMENT = "department"  # the department and its subtree
    POSITION = "position"
    EMPLOYEE = "employee"


class RuleKind(enum.StrEnum):
    DRAW = "draw"  # draw N random questions matching the filters
    FIXED = "fixed"  # one named question


class PaperBlueprint(db.Model):
    """组卷规则: sections of draw rules and fixed questions; each exam draws a paper from it per attempt."""

    __tablename__ = "paper_blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    owner_department: Mapped[Department | None] = relationship()
    sections: Mapped[list[BlueprintSection]] = relationship(
        back_populates="blueprint", order_by="BlueprintSection.position", cascade="all, delete-orphan"
    )


class BlueprintSection(db.Model):
    """A section of a paper (e.g. 一、单选题), drawn in order."""

    __tablename__ = "blueprint_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(
        ForeignKey("paper_blueprints.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))

    blueprint: Mapped[PaperBlueprint] = relationship(back_populates="sections")
    rules: Mapped[list[BlueprintRule]] = relationship(
        back_populates="section", order_by="BlueprintRule.position", cascade="all, delete-orphan"
    )


class BlueprintRule(db.Model):
    """Either draw ``count`` published questions matching the filters, or one fixed question; every
    question taken by the rule carries ``points`` on the paper (empty filters match everything)."""

    __tablename__ = "blueprint_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("blueprint_sections.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default=RuleKind.DRAW)
    count: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(1))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("question_categories.id", ondelete="SET NULL"))
    chapters: Mapped[list] = mapped_column(JSON, default=list)
    tag_ids: Mapped[list] = mapped_column(JSON, default=list)
    types: Mapped[list] = mapped_column(JSON, default=list)
    difficulties: Mapped[list] = mapped_column(JSON, default=list)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))

    section: Mapped[BlueprintSection] = relationship(back_populates="rules")
    question: Mapped[Question | None] = relationship()


class Exam(db.Model):
    """考试安排: a window, a duration, attempts, grading and results policy, and an audience."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(String(20), default=ExamPurpose.ASSESSMENT)
    blueprint_id: Mapped[int] = mapped_column(
        ForeignKey("paper_blueprints.id", ondelete="RESTRICT"), index=True
    )
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    grading_method: Mapped[str] = mapped_column(String(10), default=GradingMethod.HIGHEST)
    # Pass mark as a percentage of the paper's maximum (a paper's points are fixed by the blueprint).
    pass_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(60))
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    multiple_rule: Mapped[str] = mapped_column(String(20), default=MultipleRule.PARTIAL_NO_WRONG)
    results_release: Mapped[str] = mapped_column(String(20), default=ResultsRelease.IMMEDIATE)
    show_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    show_explanations: Mapped[bool] = mapped_column(Boolean, default=False)
    blind_grading: Mapped[bool] = mapped_column(Boolean, default=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Re-sit rounds (补考): a re-sit points at the exam it repeats; its audience is who failed that one.
    parent_exam_id: Mapped[int | None] = mapped_column(
        ForeignKey("exams.id", ondelete="SET NULL"), index=True
    )
    round_number: Mapped[int] = mapped_column(Integer, default=1)
    # A re-sit is for whoever failed the exam it repeats (unless off: a make-up round for absentees only),
    # plus the employees named on its own audience list (the absentees a make-up round was made for).
    resit_failed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # The certificate type a pass grants (training's table; no FK: exams must not depend on training).
    # The internal qualification a pass grants (training.CertificateType); see exams/outcomes.py.
    certificate_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_types.id", ondelete="SET NULL")
    )
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Integrity signals (exams/integrity.py), each off by default: deterrents, not proof.
    log_focus: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    focus_warn_after: Mapped[int | None] = mapped_column(Integer)  # warn the candidate after N events
    focus_collect_after: Mapped[int | None] = mapped_column(Integer)  # collect the attempt after N events
    ask_fullscreen: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    block_copy: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    access_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    allowed_networks: Mapped[str] = mapped_column(Text, default="", server_default="")  # CIDR per line
    # Score review (成绩复核): days after results are released a candidate may ask; 0 = no reviews.
    review_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    blueprint: Mapped[PaperBlueprint] = relationship()
    owner_department: Mapped[Department | None] = relationship()
    parent_exam: Mapped[Exam | None] = relationship(remote_side="Exam.id")
    audience: Mapped[list[ExamAudience]] = relationship(back_populates="exam", cascade="all, delete-orphan")


class ExamPool(db.Model):
    """The questions an exam's candidates draw from, frozen at its first start: for each blueprint rule
    (by id) the question versions it may take. Every candidate of one exam draws from the same pool,
    whatever is published or edited in the bank meanwhile; a trainer may refresh it (audited)."""

    __tablename__ = "exam_pools"
    __audit__ = False  # frozen automatically at a start; the explicit refresh is audited instead

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    versions: Mapped[dict] = mapped_column(JSON, default=dict)  # str(rule id) → [question version ids]
    frozen_at: Mapped[dt.datetime]


class ExamAudience(db.Model):
    """One audience entry: a department subtree, a position, or a named employee."""

    __tablename__ = "exam_audience"
    __table_args__ = (UniqueConstraint("exam_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)

    exam: Mapped[Exam] = relationship(back_populates="audience")


class Attempt(db.Model):
    """One sitting of an exam by one employee. At most one is open per (exam, employee): a partial unique
    index enforces it against concurrent starts."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "employee_id", "number"),
        Index(
            "uq_exam_attempts_one_open",
            "exam_id",
            "employee_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_exam_attempts_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.OPEN)
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime]
    deadline: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    graded_at: Mapped[dt.datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    max_score: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    device: Mapped[str] = mapped_column(String(10), default="", server_default="")  # phone / desktop
    focus_events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    collected: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # 收卷 by staff

    exam: Mapped[Exam] = relationship()
    employee: Mapped[Employee] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN


class AttemptItem(db.Model):
    """A question on an attempt's paper, frozen on a version, with the candidate's saved answer and mark."""

    __tablename__ = "attempt_items"
    __audit__ = False
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based order on this candidate's paper
    section_title: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="RESTRICT"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    qtype: Mapped[str] = mapped_column(String(20))
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    response: Mapped[dict | None] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[dt.datetime | None]
    mark: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    rubric_marks: Mapped[list | None] = mapped_column(JSON)
    grader_comment: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[dt.datetime | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()
    graded_by: Mapped[User | None] = relationship()


class ExamInvigilator(db.Model):
    """监考: a named person who may watch one exam's monitor and act on its candidates (that exam only)."""

    __tablename__ = "exam_invigilators"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Arrangement(db.Model):
    """A candidate's own terms for one exam (like Moodle's user override): extra minutes, a window of their
    own (缓考), extra attempts. Empty fields mean the exam's own setting."""

    __tablename__ = "exam_arrangements"
    __table_args__ = (UniqueConstraint("exam_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[dt.datetime | None]
    closes_at: Mapped[dt.datetime | None]
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    employee: Mapped[Employee] = relationship()


class ExamMessage(db.Model):
    """A message from the invigilator, to one candidate (``employee_id``) or to all (NULL), shown on the
    candidate's exam page at its next poll."""

    __tablename__ = "exam_messages"
    __table_args__ = (Index("ix_exam_messages_exam_id_id", "exam_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FocusEvent(db.Model):
    """One focus loss (page hidden, window blurred) reported by the candidate's page: a signal, not proof."""

    __tablename__ = "exam_focus_events"
    __audit__ = False  # high volume; counted on the attempt and shown on the monitor and the review

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # hidden / blur
    at: Mapped[dt.datetime]


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the marking stands
    CHANGED = "changed"  # the mark was changed and the attempt regraded


class ReviewRequest(db.Model):
    """成绩复核: a candidate asks for one question's marking to be looked at again; one open request per
    question per attempt (a partial unique index)."""

    __tablename__ = "exam_review_requests"
    __table_args__ = (
        Index(
            "uq_exam_review_requests_open",
            "attempt_id",
            "item_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("attempt_items.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.OPEN)
    old_mark: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    new_mark: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None]

    attempt: Mapped[Attempt] = relationship()
    item: Mapped[AttemptItem] = relationship()
