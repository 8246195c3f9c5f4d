"""Practice runs: starting one (sequential, random, mistakes, favourites, mock exam), the question to show
next, answering it (instant feedback, or none until the end of a mock exam), finishing.

Answers are idempotent: (run, position) is unique, so a request the phone retries after a lost reply gets
the first answer's result back instead of a second answer. Nothing here touches exam attempts, scores,
qualifications or certificates.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from accounts.models import Employee
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.timeutil import local_date
from exams.errors import ExamError
from exams.grading import MultipleRule, answer_fraction
from exams.models import Exam, ExamPurpose, RuleKind
from exams.papers import bank_pool
from exams.responses import validate_response
from exams.services import candidate_exams
from practice import recording, rules
from practice.errors import NotAvailable, PracticeError, RunClosed
from practice.models import Favourite, Mistake, Mode, PracticeAnswer, PracticeRun
from question_bank.knowledge import questions_on
from question_bank.models import KnowledgePoint, Question, QuestionVersion, question_tag_links

RANDOM_SIZES = (10, 20, 50)
SEQUENTIAL_LIMIT = 500


@dataclass
class Filters:
    """What to practise: a guide chapter, a knowledge point (with the points below it), a type, a difficulty."""

    chapter: int | None = None
    point_id: int | None = None
    qtype: str | None = None
    difficulty: int | None = None
    size: int = 20
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "chapter": self.chapter,
            "point_id": self.point_id,
            "qtype": self.qtype,
            "difficulty": self.difficulty,
        }


def _filtered(query, filters: Filters):
    if filters.chapter:
        query = query.where(Question.chapter == filters.chapter)
    if filters.qtype:
        query = query.where(Question.type == filters.qtype)
    if filters.difficulty:
        query = query.where(Question.difficulty == filters.difficulty)
    if filters.point_id:
        query = query.where(Question.id.in_(questions_on(filters.point_id)))
    return query


def _items(question_ids: list[int]) -> list[list]:
    """[[question id, current version id, points], …] in the given order."""
    rows = dict(
        db.session.execute(
            select(Question.id, Question.current_version_id).where(Question.id.in_(question_ids))
        ).all()
    )
    points = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.points).where(
                QuestionVersion.id.in_(list(rows.values()))
            )
        ).all()
    )
    return [[q, rows[q], str(points[rows[q]])] for q in question_ids if rows.get(q)]


def _question_ids(employee: Employee, mode: str, filters: Filters, now: dt.datetime, rng) -> list[int]:
    query = _filtered(rules.practisable(employee, now), filters)
    if mode == Mode.SEQUENTIAL:
        return list(
            db.session.scalars(
                query.order_by(None).order_by(Question.chapter, Question.id).limit(SEQUENTIAL_LIMIT)
            )
        )
    if mode == Mode.RANDOM:
        ids = list(db.session.scalars(query))
        return rng.sample(ids, min(filters.size, len(ids)))
    if mode == Mode.MISTAKES:
        query = (
            query.order_by(None)
            .join(Mistake, Mistake.question_id == Question.id)
            .where(Mistake.employee_id == employee.id, Mistake.mastered_at.is_(None))
        )
        return list(db.session.scalars(query.order_by(Mistake.last_wrong_at.desc())))
    if mode == Mode.FAVOURITES:
        query = (
            query.order_by(None)
            .join(Favourite, Favourite.question_id == Question.id)
            .where(Favourite.employee_id == employee.id)
        )
        return list(db.session.scalars(query.order_by(Favourite.added_at)))
    raise PracticeError(_("Unknown practice mode."))


def open_sequential_run(employee: Employee, filters: Filters) -> PracticeRun | None:
    """The person's unfinished sequential run with the same filters (to resume), if any."""
    runs = db.session.scalars(
        select(PracticeRun)
        .where(
            PracticeRun.employee_id == employee.id,
            PracticeRun.mode == Mode.SEQUENTIAL,
            PracticeRun.finished_at.is_(None),
        )
        .order_by(PracticeRun.id.desc())
    )
    return next((r for r in runs if r.filters == filters.as_dict()), None)


def start_run(
    employee: Employee, mode: str, filters: Filters, now: dt.datetime, *, seed: int | None = None
) -> PracticeRun:
    """Start a practice run (a sequential one resumes where the person stopped)."""
    if mode == Mode.SEQUENTIAL:
        existing = open_sequential_run(employee, filters)
        if existing is not None:
            return existing
    rng = random.Random(seed)
    ids = _question_ids(employee, mode, filters, now, rng)
    if not ids:
        raise PracticeError(_("There are no questions to practise with these choices."))
    run = PracticeRun(
        employee_id=employee.id, mode=mode, filters=filters.as_dict(), items=_items(ids), started_at=now
    )
    db.session.add(run)
    db.session.flush()
    return run


def certification_exams(employee: Employee, now: dt.datetime) -> list[Exam]:
    """The certification exams whose blueprint a mock exam may copy: those the person may sit or has sat."""
    return [
        e for e in candidate_exams(employee, now, recent_days=365) if e.purpose == ExamPurpose.CERTIFICATION
    ]


def start_mock(employee: Employee, exam: Exam, now: dt.datetime, *, seed: int | None = None) -> PracticeRun:
    """A mock exam: a paper drawn like ``exam``'s blueprint from what the person may practise, timed like
    the exam, scored at the end, counted nowhere. A rule the practisable questions cannot fill is drawn as
    far as they go (the paper may be shorter than the real one)."""
    allowed = set(db.session.scalars(rules.practisable(employee, now)))
    pool = bank_pool(exam.blueprint)
    rng = random.Random(seed)
    taken: set[int] = set()
    chosen: list[tuple[int, Decimal]] = []
    versions = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.question_id).where(
                QuestionVersion.id.in_({v for ids in pool.values() for v in ids})
            )
        ).all()
    )
    for section in exam.blueprint.sections:
        for rule in section.rules:
            candidates = [
                versions[v]
                for v in pool.get(str(rule.id), [])
                if versions.get(v) in allowed and versions[v] not in taken
            ]
            count = 1 if rule.kind == RuleKind.FIXED else rule.count
            picked = rng.sample(candidates, min(count, len(candidates)))
            taken.update(picked)
            chosen.extend((q, Decimal(rule.points)) for q in picked)
    if not chosen:
        raise PracticeError(_("No question of this exam's blueprint is open for practice."))
    items = _items([q for q, _p in chosen])
    points = {q: p for q, p in chosen}
    for item in items:
        item[2] = str(points[item[0]])
    run = PracticeRun(
        employee_id=employee.id,
        mode=Mode.MOCK,
        filters={},
        items=items,
        exam_id=exam.id,
        started_at=now,
        deadline_at=now + dt.timedelta(minutes=exam.duration_minutes),
        max_score=sum((Decimal(i[2]) for i in items), Decimal(0)),
    )
    db.session.add(run)
    db.session.flush()
    return run


def own_run(run_id: int, employee: Employee, *, lock: bool = False) -> PracticeRun:
    """The run, when it is this person's (else 404); ``lock``: its row locked until the transaction ends
    (``SELECT … FOR UPDATE`` on PostgreSQL), so two requests answering one run take turns."""
    run = db.session.get(PracticeRun, run_id, with_for_update=lock or None)
    if run is None or run.employee_id != employee.id:
        raise NotAvailable(_("This practice does not exist."))
    return run


def time_up(run: PracticeRun, now: dt.datetime) -> bool:
    return run.deadline_at is not None and now >= run.deadline_at


def finish(run: PracticeRun, now: dt.datetime) -> None:
    """End the run; a mock exam gets its score (the points of the questions answered right)."""
    if run.finished_at is not None:
        return
    run.finished_at = now
    if run.mode == Mode.MOCK:
        points = {i[0]: Decimal(i[2]) for i in run.items}
        right = db.session.scalars(
            select(PracticeAnswer.question_id).where(PracticeAnswer.run_id == run.id, PracticeAnswer.correct)
        )
        run.score = sum((points.get(q, Decimal(0)) for q in right), Decimal(0))


def current_question(
    run: PracticeRun, employee: Employee, now: dt.datetime
) -> tuple[int, QuestionVersion] | None:
    """The position and version to show next; questions that may no longer be practised (an exam's window
    opened meanwhile, the question was reserved) are skipped. None when the run is over."""
    shown = current_shown(run, employee, now)
    return None if shown is None else shown[:2]


def current_shown(
    run: PracticeRun, employee: Employee, now: dt.datetime
) -> tuple[int, QuestionVersion, bool] | None:
    """``current_question`` with whether the question is a favourite: the question page's reads, two
    statements per question looked at (the open-exam probe and the check that also loads the version and
    the favourite; ``rules.shown_version``)."""
    if run.finished_at is not None:
        return None
    if time_up(run, now):
        finish(run, now)
        return None
    while run.position < len(run.items):
        question_id, version_id, _points = run.items[run.position]
        shown = rules.shown_version(employee, question_id, version_id, now)
        if shown is not None:
            return run.position, shown[0], shown[1]
        run.position += 1
    finish(run, now)
    return None


@dataclass
class Outcome:
    answer: PracticeAnswer
    version: QuestionVersion
    feedback: bool  # False in a mock exam until it is finished
    question: Question | None = None
    tags: list = field(default_factory=list)


def answer(run: PracticeRun, position: int, response, now: dt.datetime) -> Outcome:
    """Record the answer at ``position``: graded at once; the mistake book and mastery learn it; the
    ``practice_answered`` signal lets an incentives rule pay for it. A repeat of an answered position
    returns the first answer (a retried request)."""
    feedback = run.mode != Mode.MOCK
    if position < run.position:
        # Only an answered position can have an answer: the question on the screen is looked up nowhere
        # (the run's row is locked by the answer view, so a retry racing its first request waits for it).
        existing = db.session.scalar(
            select(PracticeAnswer).where(PracticeAnswer.run_id == run.id, PracticeAnswer.position == position)
        )
        if existing is not None:
            version, question = _version_and_question(existing.version_id)
            return Outcome(existing, version, feedback, question, _tags(existing.question_id))
    if run.finished_at is not None or time_up(run, now):
        finish(run, now)
        raise RunClosed(_("This practice is over."))
    if position != run.position or position >= len(run.items):
        raise PracticeError(_("Answer the question on the screen."))
    question_id, version_id, _points = run.items[position]
    version, question = _version_and_question(version_id)
    response = validate_response(version.type, response)
    try:
        fraction = answer_fraction(
            version.type, version.key, version.options, response, MultipleRule.ALL_OR_NOTHING
        )
    except (ValueError, ExamError) as error:
        raise PracticeError(str(error)) from error
    correct = fraction >= 1
    saved = PracticeAnswer(
        run_id=run.id, position=position, employee_id=run.employee_id, question_id=question_id,
        version_id=version_id, response=response, correct=correct, answered_at=now,
    )  # fmt: skip
    db.session.add(saved)
    run.position += 1
    run.answered_count += 1
    run.right_count += int(correct)
    recording.record_mistake(run.employee_id, question_id, correct, now)
    tags = _tags(question_id)
    points = {p.id for p in tags} | {int(a) for p in tags for a in (p.path or "").strip("/").split("/") if a}
    recording.record_mastery(run.employee_id, [(question_id, correct)], now, points={question_id: points})
    db.session.flush()
    signals.practice_answered.send(
        saved,
        employee=run.employee,
        correct=correct,
        question_id=question_id,
        source_key=f"practice:{run.employee_id}:{question_id}:{local_date(now).isoformat()}",
        now=now,
    )
    if run.position >= len(run.items) and run.mode != Mode.MOCK:
        finish(run, now)
    return Outcome(saved, version, feedback, question, tags)


def _version_and_question(version_id: int) -> tuple[QuestionVersion, Question]:
    """The version answered and its question, in one statement."""
    return tuple(
        db.session.execute(
            select(QuestionVersion, Question)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(QuestionVersion.id == version_id)
        ).one()
    )


def _tags(question_id: int) -> list[KnowledgePoint]:
    """The question's knowledge points (the feedback shows them; mastery counts on them and those above)."""
    return list(
        db.session.scalars(
            select(KnowledgePoint)
            .join(question_tag_links, question_tag_links.c.tag_id == KnowledgePoint.id)
            .where(question_tag_links.c.question_id == question_id)
            .order_by(KnowledgePoint.name)
        )
    )


def toggle_favourite(employee: Employee, question_id: int, now: dt.datetime) -> bool:
    """Add or remove a favourite; returns whether it is now a favourite."""
    favourite = db.session.get(Favourite, (employee.id, question_id))
    if favourite is not None:
        db.session.delete(favourite)
        db.session.flush()
        return False
    db.session.add(Favourite(employee_id=employee.id, question_id=question_id, added_at=now))
    db.session.flush()
    return True


def is_favourite(employee: Employee, question_id: int) -> bool:
    return db.session.get(Favourite, (employee.id, question_id)) is not None


def run_answers(run: PracticeRun) -> dict[int, PracticeAnswer]:
    """The run's answers by position."""
    return {
        a.position: a
        for a in db.session.scalars(select(PracticeAnswer).where(PracticeAnswer.run_id == run.id))
    }
