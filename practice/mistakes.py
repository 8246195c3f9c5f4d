"""The mistake book (错题本): listing a person's entries, bringing in exam answers once their results policy
shows them, and the printable PDF.

Exam wrongs enter only when ``exams.runtime.answers_visible`` says the candidate may see the answers (never
before: the mistake book would otherwise show an unreleased key). Each closed attempt is brought in once
(``ExamImport``), when the person next opens the mistake book or their mastery page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accounts.models import Employee
from core.extensions import db
from core.pdf import render_pdf
from exams.models import Attempt, AttemptItem, AttemptStatus
from exams.runtime import answers_visible
from practice import recording
from practice.models import ExamImport, Mistake, Source
from question_bank.knowledge import questions_on
from question_bank.models import Question

PAGE_SIZE = 50


def import_exam_answers(employee: Employee, now: dt.datetime) -> int:
    """Bring the person's exam answers whose key they may now see into the mistake book and mastery (once
    per attempt); returns how many attempts were brought in."""
    done = select(ExamImport.attempt_id).where(ExamImport.employee_id == employee.id)
    attempts = db.session.scalars(
        select(Attempt)
        .options(joinedload(Attempt.exam))
        .where(
            Attempt.employee_id == employee.id,
            Attempt.status.in_([AttemptStatus.SUBMITTED, AttemptStatus.GRADED]),
            Attempt.id.not_in(done),
        )
    ).all()
    count = 0
    for attempt in attempts:
        if not answers_visible(attempt, now):
            continue
        items = db.session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt.id, AttemptItem.mark.is_not(None))
        ).all()
        results = [(i.question_id, i.mark >= i.points) for i in items if i.qtype != "description"]
        for question_id, correct in results:
            if not correct:
                recording.record_mistake(
                    employee.id, question_id, False, now, source=Source.EXAM, exam_id=attempt.exam_id
                )
        recording.record_mastery(employee.id, results, now)
        db.session.add(ExamImport(attempt_id=attempt.id, employee_id=employee.id, imported_at=now))
        count += 1
    db.session.flush()
    return count


@dataclass
class BookFilters:
    chapter: int | None = None
    point_id: int | None = None
    mastered: bool = False  # the history (mastered entries) instead of the active list


def _query(employee: Employee, filters: BookFilters):
    query = (
        select(Mistake)
        .join(Question, Question.id == Mistake.question_id)
        .where(Mistake.employee_id == employee.id)
        .where(Mistake.mastered_at.is_not(None) if filters.mastered else Mistake.mastered_at.is_(None))
    )
    if filters.chapter:
        query = query.where(Question.chapter == filters.chapter)
    if filters.point_id:
        query = query.where(Question.id.in_(questions_on(filters.point_id)))
    return query


def book(employee: Employee, filters: BookFilters, *, page: int = 1, size: int | None = PAGE_SIZE,
         total: int | None = None):  # fmt: skip
    """(entries of the page with their questions, total count), latest wrong first; ``total`` when the
    caller counted already (``book_counts``)."""
    query = _query(employee, filters)
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.options(
        joinedload(Mistake.question).joinedload(Question.current_version), joinedload(Mistake.exam)
    )
    query = query.order_by(Mistake.last_wrong_at.desc(), Mistake.id.desc())
    if size:
        query = query.offset((max(page, 1) - 1) * size).limit(size)
    return list(db.session.scalars(query).unique()), total


def counts(employee: Employee) -> tuple[int, int]:
    """(active entries, mastered entries) of the person's mistake book."""
    rows = dict(
        db.session.execute(
            select(Mistake.mastered_at.is_(None), func.count())
            .where(Mistake.employee_id == employee.id)
            .group_by(Mistake.mastered_at.is_(None))
        ).all()
    )
    return rows.get(True, 0), rows.get(False, 0)


def book_counts(employee: Employee, filters: BookFilters) -> tuple[int, int, int]:
    """(entries matching ``filters``, active entries, mastered entries) in one statement (the book's tabs and
    its pager; issue 17 §5)."""
    matching = _query(employee, filters).whereclause
    query = (
        select(
            func.count().filter(matching),
            func.count().filter(Mistake.mastered_at.is_(None)),
            func.count().filter(Mistake.mastered_at.is_not(None)),
        )
        .select_from(Mistake)
        .where(Mistake.employee_id == employee.id)
    )
    if filters.chapter or filters.point_id:
        query = query.join(Question, Question.id == Mistake.question_id)
    total, active, mastered = db.session.execute(query).one()
    return total or 0, active or 0, mastered or 0


def book_pdf(employee: Employee, filters: BookFilters, now: dt.datetime) -> bytes:
    """The mistake book as a PDF for offline study: each question with its key and explanation."""
    entries, _total = book(employee, filters, size=None)
    html = render_template("practice/mistakes_pdf.html", employee=employee, entries=entries, now=now)
    return render_pdf(html)
