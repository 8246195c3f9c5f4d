"""A drill's objectives (演练目标), and what happens while a drill runs and right after it: evaluators' and controllers' observations
(观察记录), the evaluator's confirmation of a timing criterion (计时核定), and the participants' hotwash
feedback (热反馈). The injects' release and skip times live on ``DrillInject`` (``drills/models.py``)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Employee, User
from core.extensions import db
from core.models import utcnow
from drills.evaluation_models import Criterion
from drills.models import Drill, DrillInject


class FlowStep(enum.StrEnum):
    """The five steps of the emergency response flow (guide 6.3)."""

    REPORT = "report"  # 事件发现与报告
    ASSESS = "assess"  # 事件评估与分级
    ACTIVATE = "activate"  # 启动应急响应
    RESPOND = "respond"  # 应急处置与协调
    RECOVER = "recover"  # 应急恢复与总结


class Observation(db.Model):
    """One timestamped note from an evaluator or controller. ``client_id`` is made by the phone before
    the first try, so a retried send is stored once. ``observed_at`` is when the note was taken (the
    phone's clock corrected to the server's; kept within the drill day and never later than receipt),
    ``received_at`` when the server got it."""

    __tablename__ = "drill_observations"
    __table_args__ = (UniqueConstraint("drill_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    observed_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    step: Mapped[str] = mapped_column(String(20), default="")
    inject_id: Mapped[int | None] = mapped_column(ForeignKey("drill_injects.id", ondelete="SET NULL"))
    criterion_ids: Mapped[list] = mapped_column(JSON, default=list)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("training_files.id", ondelete="SET NULL"))

    drill: Mapped[Drill] = relationship()
    author: Mapped[Employee | None] = relationship()
    inject: Mapped[DrillInject | None] = relationship()


class TimingCheck(db.Model):
    """An evaluator's word on a timing criterion: the minutes computed from the timestamps (kept as
    they were) and the minutes the evaluator confirmed or corrected, with a note when corrected."""

    __tablename__ = "drill_timing_checks"
    __table_args__ = (UniqueConstraint("drill_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("drill_criteria.id", ondelete="CASCADE"))
    computed_minutes: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime]

    confirmed_by: Mapped[User | None] = relationship()


class Feedback(db.Model):
    """A participant's hotwash form: one per participant and drill. ``ratings`` maps an objective's
    key (``"overall"`` for the drill as a whole) to 1–5. The employee is stored to keep it one per
    person; evaluators see it without the name when the drill's feedback is anonymous."""

    __tablename__ = "drill_feedback"
    __table_args__ = (UniqueConstraint("drill_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[dt.datetime]

    employee: Mapped[Employee] = relationship()


objective_criteria = Table(
    "drill_objective_criteria",
    db.metadata,
    Column("objective_id", ForeignKey("drill_objectives.id", ondelete="CASCADE"), primary_key=True),
    Column("criterion_id", ForeignKey("drill_criteria.id", ondelete="CASCADE"), primary_key=True),
)


class Objective(db.Model):
    """One SMART objective of a drill, tied to a step of the five-step flow and measured by evaluation
    criteria; its rating in the report is the median of those criteria's consolidated ratings.

    Knowledge points: the unified knowledge-point tree is being built in ``question_bank``; once it lands,
    an objective links to its points through a table ``drill_objective_knowledge_points`` (objective_id,
    knowledge_point_id) next to ``drill_objective_criteria`` — deliberately not built here."""

    __tablename__ = "drill_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    step: Mapped[str] = mapped_column(String(20), default="")

    criteria: Mapped[list[Criterion]] = relationship(secondary=objective_criteria, order_by=Criterion.code)


class AfterActionMeeting(db.Model):
    """The after-action meeting (总结会议) of a drill: when, who attended, what was decided. Held on the
    draft report; the issued report carries it."""

    __tablename__ = "drill_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), unique=True)
    held_on: Mapped[dt.date]
    attendees: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime]
