"""Self-practice (自主练习): runs, answers, favourites, the mistake book (错题本), mastery per knowledge point,
and the categories trainers open for practice. Nothing here is read by exams, training or certificates:
practice never changes a score, a qualification or a certificate."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, Employee
from core.extensions import db
from core.models import utcnow
from exams.models import Exam
from question_bank.models import Category, Question


class Mode(enum.StrEnum):
    SEQUENTIAL = "sequential"  # 顺序练习 (resumes where the person stopped)
    RANDOM = "random"  # 随机练习
    MISTAKES = "mistakes"  # 错题练习
    FAVOURITES = "favourites"  # 收藏练习
    MOCK = "mock"  # 模拟考试 (a paper from a certification exam's blueprint, timed, never counted)


class Source(enum.StrEnum):
    PRACTICE = "practice"
    EXAM = "exam"


class PracticeOpening(db.Model):
    """A category (and its subtree) a trainer opened for practice, for a department's subtree (None: everyone)."""

    __tablename__ = "practice_openings"
    __table_args__ = (UniqueConstraint("category_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("question_categories.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    category: Mapped[Category] = relationship()
    department: Mapped[Department | None] = relationship()


class PracticeRun(db.Model):
    """One practice session: its filters, its questions in order (question and version ids) and where the
    person is. A mock exam also has a deadline and, once finished, a score (never counted anywhere)."""

    __tablename__ = "practice_runs"
    __table_args__ = (Index("ix_practice_runs_employee_mode", "employee_id", "mode", "finished_at"),)
    __audit__ = False  # a person's own practice; nothing in it counts

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(20))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    items: Mapped[list] = mapped_column(JSON, default=list)  # [[question id, version id, points], ...]
    position: Mapped[int] = mapped_column(Integer, default=0)  # 0-based: the next question to answer
    right_count: Mapped[int] = mapped_column(Integer, default=0)
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"))
    deadline_at: Mapped[dt.datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    employee: Mapped[Employee] = relationship()
    exam: Mapped[Exam | None] = relationship()


class PracticeAnswer(db.Model):
    """One answer given in practice. (run, position) is unique: a retried request finds its first answer."""

    __tablename__ = "practice_answers"
    __table_args__ = (
        UniqueConstraint("run_id", "position"),
        Index("ix_practice_answers_employee_question", "employee_id", "question_id"),
    )
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("practice_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"))
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Favourite(db.Model):
    """收藏: a question a person keeps to practise again."""

    __tablename__ = "practice_favourites"
    __audit__ = False

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Mistake(db.Model):
    """An entry of a person's mistake book (错题本), one per question. ``mastered_at`` set: mastered and off the
    active list (kept as history); a new wrong answer puts it back."""

    __tablename__ = "practice_mistakes"
    __table_args__ = (
        UniqueConstraint("employee_id", "question_id"),
        Index("ix_practice_mistakes_active", "employee_id", "mastered_at", "last_wrong_at"),
    )
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    times_wrong: Mapped[int] = mapped_column(Integer, default=0)
    first_wrong_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_wrong_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default=Source.PRACTICE)  # where it was last got wrong
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"))
    streak: Mapped[int] = mapped_column(Integer, default=0)  # consecutive right answers in practice since
    times_mastered: Mapped[int] = mapped_column(Integer, default=0)
    mastered_at: Mapped[dt.datetime | None]

    question: Mapped[Question] = relationship()
    exam: Mapped[Exam | None] = relationship()


class Mastery(db.Model):
    """A person's recent answers on one knowledge point: ``recent`` holds the last 10 results, oldest first
    ("1" right, "0" wrong), from practice and released exams. See practice/mastery.py for the rule."""

    __tablename__ = "practice_mastery"
    __audit__ = False

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    knowledge_point_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_points.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    recent: Mapped[str] = mapped_column(String(10), default="")
    right_count: Mapped[int] = mapped_column(Integer, default=0)  # rights among ``recent``
    answered: Mapped[int] = mapped_column(Integer, default=0)  # every answer ever counted
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DepartmentMastery(db.Model):
    """The heatmap's sums for one department (its own staff, not its subtree) and knowledge point: how many
    active people have a known mastery, and the sum of those masteries. Kept up to date with each answer
    (``recording.record_mastery``) and rebuilt from ``practice_mastery`` by ``rebuild_department_mastery``
    (``flask practice rebuild-heatmap``, after people move between departments or leave)."""

    __tablename__ = "practice_department_mastery"
    __audit__ = False

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    knowledge_point_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_points.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    people: Mapped[int] = mapped_column(Integer, default=0)
    share_sum: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))


class ExamImport(db.Model):
    """An exam attempt whose answers are in the mistake book and mastery (once its answers were shown)."""

    __tablename__ = "practice_exam_imports"
    __audit__ = False

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
