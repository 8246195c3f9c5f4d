"""What practice may show a person: the leak rules, in one place.

A question may be practised when it is published and auto-graded (not an essay or a description), is not
reserved for certification (``Question.exam_only``, 考试专用), lies in a category a trainer opened for
practice for the person's department (or for everyone), and is not a question of any exam whose window is
open for that person now (the exam's frozen pool, or what its blueprint may draw while it has none).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import Department, Employee
from core.extensions import db
from exams import papers, pools
from exams import services as exam_services
from exams.models import BlueprintSection, Exam, ExamPool, PaperBlueprint
from practice.models import PracticeOpening
from question_bank.models import Category, Question, QuestionStatus, QuestionVersion

PRACTISED_TYPES = ("single", "multiple", "truefalse", "fill", "numerical", "matching")


def _ancestor_ids(department: Department | None) -> list[int]:
    if department is None:
        return []
    return [int(part) for part in department.path.strip("/").split("/") if part]


def open_category_ids(employee: Employee) -> list[int]:
    """The categories open for practice to ``employee``: those opened for everyone or for a department
    above them, with their subtrees."""
    opened = list(
        db.session.scalars(
            select(Category.path)
            .join(PracticeOpening, PracticeOpening.category_id == Category.id)
            .where(
                or_(
                    PracticeOpening.department_id.is_(None),
                    PracticeOpening.department_id.in_(_ancestor_ids(employee.department)),
                )
            )
        )
    )
    if not opened:
        return []
    return list(
        db.session.scalars(select(Category.id).where(or_(*[Category.path.startswith(p) for p in opened])))
    )


def open_exams(employee: Employee, now: dt.datetime) -> list[Exam]:
    """The exams whose window is open for ``employee`` now."""
    return [e for e in exam_services.candidate_exams(employee, now) if e.opens_at <= now < e.closes_at]


def blocked_question_ids(employee: Employee, now: dt.datetime) -> set[int]:
    """The questions of every exam whose window is open for ``employee`` now: each exam's frozen pool, or what
    its blueprint may draw while it has none.

    Asked each time a practice question is shown, so it reads the open exams' pools, and the blueprints of
    those without one, in one go (a fixed number of statements however many exams are open, apart from one
    per draw rule of an unfrozen blueprint)."""
    exams = open_exams(employee, now)
    if not exams:
        return set()
    frozen = db.session.scalars(select(ExamPool).where(ExamPool.exam_id.in_([e.id for e in exams]))).all()
    version_ids = {v for pool in frozen for v in pools.pool_version_ids(pool)}
    frozen_ids = {pool.exam_id for pool in frozen}
    unfrozen = {e.blueprint_id for e in exams if e.id not in frozen_ids}
    if unfrozen:
        blueprints = db.session.scalars(
            select(PaperBlueprint)
            .where(PaperBlueprint.id.in_(unfrozen))
            .options(selectinload(PaperBlueprint.sections).selectinload(BlueprintSection.rules))
        )
        for blueprint in blueprints:
            version_ids.update(v for ids in papers.bank_pool(blueprint).values() for v in ids)
    if not version_ids:
        return set()
    return set(
        db.session.scalars(select(QuestionVersion.question_id).where(QuestionVersion.id.in_(version_ids)))
    )


def practisable(employee: Employee, now: dt.datetime) -> Select:
    """The query of the questions ``employee`` may practise now (ids, by question id)."""
    blocked = blocked_question_ids(employee, now)
    query = select(Question.id).where(
        Question.status == QuestionStatus.PUBLISHED,
        Question.current_version_id.is_not(None),
        Question.exam_only.is_(False),
        Question.type.in_(PRACTISED_TYPES),
        Question.category_id.in_(open_category_ids(employee)),
    )
    if blocked:
        query = query.where(Question.id.not_in(blocked))
    return query.order_by(Question.id)


def may_practise(employee: Employee, question_id: int, now: dt.datetime) -> bool:
    """Whether ``employee`` may be shown ``question_id`` in practice now."""
    return bool(db.session.scalar(practisable(employee, now).where(Question.id == question_id)))
