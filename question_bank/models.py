"""Question bank: categories (a tree), knowledge points (知识点, a tree), questions and their immutable versions.

The shapes of ``QuestionVersion.options`` and ``key`` are fixed by docs/question-contract.md (shared with exams):
numbers inside them are strings holding decimals ("0.5"), never floats.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, User
from core.extensions import db
from core.models import utcnow


class QuestionType(enum.StrEnum):
    SINGLE = "single"  # 单选
    MULTIPLE = "multiple"  # 多选
    TRUEFALSE = "truefalse"  # 判断
    FILL = "fill"  # 填空
    ESSAY = "essay"  # 简答
    MATCHING = "matching"  # 匹配
    NUMERICAL = "numerical"  # 数值
    DESCRIPTION = "description"  # 描述 (unscored text between questions)


class QuestionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ReviewStatus(enum.StrEnum):
    """审核: where a question stands in review before use (docs/question_bank.md, "Review before use").
    Independent of ``QuestionStatus``: publication says whether the bank offers the question at all;
    review says whether a second trainer has approved its current version (certification papers need it)."""

    DRAFT = "draft"  # 待审核: new, imported or edited; waits for a second trainer
    RETURNED = "returned"  # 退回修改: a reviewer sent it back with a comment; waits for its author
    APPROVED = "approved"  # 已审核: the current version is approved
    FLAGGED = "flagged"  # 统计预警: approved, but item statistics ask for a fresh review


class ReviewDecision(enum.StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"
    FLAGGED = "flagged"  # by item statistics (no reviewer)


class Category(db.Model):
    """A node of the question category tree. ``path`` is ``/1/4/`` (ids from the root).

    ``owner_department_id`` NULL means shared with every trainer; otherwise trainers whose scope covers
    that department own the category (and its questions).
    """

    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    # Moodle category idnumber; NULL when the file has none.
    idnumber: Mapped[str | None] = mapped_column(String(100))

    parent: Mapped[Category | None] = relationship(remote_side="Category.id", back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.name")
    owner_department: Mapped[Department | None] = relationship()

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.name}>"


class KnowledgePoint(db.Model):
    """A knowledge point (知识点): the one vocabulary questions, courses and drill criteria refer to.

    A tree seeded from the guide (``question_bank/knowledge.py``): chapters (``guide_section`` "6"), their
    sections ("6.3") and the finer points under them. ``path`` is ``/1/4/`` (ids from the root), as for
    categories; a point nobody has placed yet is a root.
    """

    __tablename__ = "knowledge_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    guide_section: Mapped[str] = mapped_column(String(20), default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_points.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[KnowledgePoint | None] = relationship(remote_side="KnowledgePoint.id")

    def __repr__(self) -> str:
        return f"<KnowledgePoint {self.id} {self.name}>"


# The bank called its knowledge points "tags" before the two vocabularies were merged (migration 0015);
# the name stays for the import, export, search and blueprint code that speaks of tags.
Tag = KnowledgePoint

question_tag_links = Table(
    "question_tag_links",
    db.Model.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("knowledge_points.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Question(db.Model):
    """A question; its content lives in versions. Filter columns are copied from the current version."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_filter", "status", "category_id", "type"),
        Index("ix_questions_chapter_difficulty", "chapter", "difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("question_categories.id", ondelete="RESTRICT"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=QuestionStatus.DRAFT)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    chapter: Mapped[int | None] = mapped_column(Integer)
    difficulty: Mapped[int] = mapped_column(Integer, default=3)
    stem_text: Mapped[str] = mapped_column(Text, default="")
    # Normalised stem (see normalise.duplicate_key) for duplicate detection; indexed for exact lookup.
    stem_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(1))
    source_ref: Mapped[str] = mapped_column(String(60), default="")
    # Moodle question idnumber; NULL when the file has none (Moodle stores empty idnumbers as NULL).
    idnumber: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255), default="")
    # 考试专用: reserved for certification exams, never shown in self-practice.
    exam_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Review before use (question_bank/review.py): the current version's review state, and the figures
    # item statistics flagged it with (responses, facility, discrimination) while it is FLAGGED.
    review_status: Mapped[str] = mapped_column(
        String(20), default=ReviewStatus.DRAFT, server_default=ReviewStatus.DRAFT.value, index=True
    )
    review_flag: Mapped[dict | None] = mapped_column(JSON)

    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
        cascade="all, delete-orphan",
    )
    tags: Mapped[list[KnowledgePoint]] = relationship(
        secondary=question_tag_links, order_by="KnowledgePoint.name"
    )
    category: Mapped[Category] = relationship()
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.type}>"


class QuestionVersion(db.Model):
    """One immutable snapshot of a question's content. Once ``used`` (an exam, paper or attempt refers to
    it), it is never edited: editing the question then creates a new version."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255), default="")
    stem_html: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list] = mapped_column(JSON, default=list)
    key: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(1))
    difficulty: Mapped[int] = mapped_column(Integer, default=3)
    chapter: Mapped[int | None] = mapped_column(Integer)
    source_ref: Mapped[str] = mapped_column(String(60), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    change_note: Mapped[str] = mapped_column(String(500), default="")
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who approved this version and when (the author is ``created_by``). ``approved_by_system``: approved
    # without a reviewer — the starter bank, and questions in use before review existed (migration 0021).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None]
    approved_by_system: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    def __repr__(self) -> str:
        return f"<QuestionVersion q{self.question_id} v{self.number}>"


class QuestionReview(db.Model):
    """One review decision on a question (approve, send back with a comment) or a statistics flag: the
    review history the question page shows and the author reads."""

    __tablename__ = "question_reviews"
    __audit__ = False  # each decision is audited explicitly (question_bank.review_*)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    version: Mapped[QuestionVersion | None] = relationship()
    reviewer: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionReview q{self.question_id} {self.decision}>"


def declare_postgresql_indexes() -> None:
    """Add the trigram index for Chinese text search to the metadata (PostgreSQL only).

    ``stem_text LIKE '%词%'`` is answered on PostgreSQL from a pg_trgm GIN index, which the migration
    creates only there; SQLite has no such index (a LIKE scan of 50,000 short stems meets the speed target,
    see docs/question_bank.md). Declaring it only when the app runs on PostgreSQL keeps ``flask db check``
    clean on both databases.
    """
    table = Question.__table__
    if any(index.name == "ix_questions_stem_trgm" for index in table.indexes):
        return
    Index(
        "ix_questions_stem_trgm",
        table.c.stem_text,
        postgresql_using="gin",
        postgresql_ops={"stem_text": "gin_trgm_ops"},
    )


class EnemyGroupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # a paper never holds two of its questions
    DISMISSED = "dismissed"  # a lint proposal a trainer judged harmless (not proposed again)


enemy_group_members = Table(
    "question_enemy_group_members",
    db.Model.metadata,
    Column("group_id", ForeignKey("question_enemy_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class EnemyGroup(db.Model):
    """Questions that give each other away (互斥题组): a paper holds at most one question of a confirmed group.
    A question is in at most one confirmed group (confirming merges groups)."""

    __tablename__ = "question_enemy_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=EnemyGroupStatus.CONFIRMED, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[Question]] = relationship(secondary=enemy_group_members, order_by="Question.id")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<EnemyGroup {self.id} {self.status}>"
