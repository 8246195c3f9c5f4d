"""What practice may show a person: the leak rules, in one place.

A question may be practised when it is published and auto-graded (not an essay or a description), is not
reserved for certification (``Question.exam_only``, 考试专用), lies in a category a trainer opened for
practice for the person's department (or for everyone), and is not a question of any exam whose window is
open for that person now (the exam's frozen pool, or what its blueprint may draw while it has none).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict

from sqlalchemy import Select, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from accounts.models import Department, Employee
from core.extensions import db
from exams import papers, pools
from exams import services as exam_services
from exams.models import BlueprintSection, Exam, ExamAudience, ExamPool, PaperBlueprint
from practice.models import Favourite, PracticeOpening
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


# The blocked set of one person, kept between question pages (issue 17 §5: computing it costs 8 statements
# and most of a page's CPU). Keyed on the person and on what the probe reads each page: every published exam
# whose window is open now, with its blueprint's edit time, whether its pool is frozen, and its audience list
# (count and last entry). So a window that opens or closes, an exam published, a pool frozen or refreshed, a
# blueprint edited or an audience changed changes the key at once and the set is computed again. What the
# probe cannot see (a re-sit's audience growing when an attempt of the exam it repeats is graded, questions
# published into an unfrozen draw rule's categories while its window is open) reaches practice within
# ``BLOCKED_TTL`` seconds. One cache per worker process, bounded.
BLOCKED_TTL = 60.0
_BLOCKED_MAX = 5000
_blocked_cache: OrderedDict[tuple, tuple[float, frozenset[int]]] = OrderedDict()


# Equal sets are kept once: the people of one audience share their blocked set, which for an exam drawing from a
# whole category may hold thousands of ids.
_shared_sets: dict[frozenset[int], frozenset[int]] = {}


def clear_blocked_cache() -> None:
    _blocked_cache.clear()
    _shared_sets.clear()


def open_exams_probe(now: dt.datetime) -> tuple:
    """One statement: a fingerprint of every published exam whose window is open at ``now`` (for anyone)."""

    def audience(column):
        return select(column).where(ExamAudience.exam_id == Exam.id).correlate(Exam).scalar_subquery()

    rows = db.session.execute(
        select(
            Exam.id,
            Exam.created_at,
            Exam.blueprint_id,
            PaperBlueprint.updated_at,
            ExamPool.frozen_at,
            audience(func.count(ExamAudience.id)),
            audience(func.max(ExamAudience.id)),
        )
        .join(PaperBlueprint, PaperBlueprint.id == Exam.blueprint_id)
        .outerjoin(ExamPool, ExamPool.exam_id == Exam.id)
        .where(Exam.published.is_(True), Exam.opens_at <= now, Exam.closes_at > now)
        .order_by(Exam.id)
    ).all()
    return tuple(tuple(r) for r in rows)


def blocked_for_page(employee: Employee, now: dt.datetime) -> frozenset[int]:
    """``blocked_question_ids`` through the per-process cache: one statement (the probe) when nothing about
    the open exams changed since it was last computed for this person."""
    probe = open_exams_probe(now)
    if not probe:
        return frozenset()
    key = (employee.id, employee.department_id, employee.position_id, probe)
    hit = _blocked_cache.get(key)
    clock = time.monotonic()
    if hit is not None and clock - hit[0] < BLOCKED_TTL:
        _blocked_cache.move_to_end(key)
        return hit[1]
    blocked = frozenset(blocked_question_ids(employee, now))
    if len(_shared_sets) > 1000:
        _shared_sets.clear()
    blocked = _shared_sets.setdefault(blocked, blocked)
    _blocked_cache[key] = (clock, blocked)
    while len(_blocked_cache) > _BLOCKED_MAX:
        _blocked_cache.popitem(last=False)
    return blocked


def shown_version(employee: Employee, question_id: int, version_id: int, now: dt.datetime):
    """The question page's check and load in one statement (after the cached blocked set): ``(version,
    favourite?)`` when ``employee`` may be shown ``question_id`` now (the same rules as ``practisable``:
    published, auto-graded, not reserved, in a category opened for everyone or a department above them, not
    of an exam open for them), else None."""
    if question_id in blocked_for_page(employee, now):
        return None
    opened = aliased(Category)
    own = aliased(Category)
    opener = aliased(Department)
    person_path = select(Department.path).where(Department.id == employee.department_id).scalar_subquery()
    category_open = exists(
        select(literal(1))
        .select_from(PracticeOpening)
        .join(opened, opened.id == PracticeOpening.category_id)
        .outerjoin(opener, opener.id == PracticeOpening.department_id)
        .where(
            own.path.startswith(opened.path, autoescape=False),
            or_(PracticeOpening.department_id.is_(None), person_path.startswith(opener.path))
            if employee.department_id is not None
            else PracticeOpening.department_id.is_(None),
        )
    )
    favourite = exists(
        select(literal(1)).where(Favourite.employee_id == employee.id, Favourite.question_id == question_id)
    )
    row = db.session.execute(
        select(QuestionVersion, favourite.label("favourite"))
        .join(Question, Question.id == QuestionVersion.question_id)
        .join(own, own.id == Question.category_id)
        .where(
            QuestionVersion.id == version_id,
            Question.id == question_id,
            Question.status == QuestionStatus.PUBLISHED,
            Question.current_version_id.is_not(None),
            Question.exam_only.is_(False),
            Question.type.in_(PRACTISED_TYPES),
            category_open,
        )
    ).first()
    return None if row is None else (row[0], bool(row[1]))


def practisable(employee: Employee, now: dt.datetime) -> Select:
    """The query of the questions ``employee`` may practise now (ids, by question id)."""
    blocked = blocked_for_page(employee, now)
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
