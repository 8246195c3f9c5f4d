"""What one answer changes, from practice or from a released exam: the mistake book and mastery.

The mistake book: a wrong answer adds the question (or counts another wrong and puts a mastered entry back
on the active list); a right answer in practice adds one to the entry's streak, and ``mastered_after``
rights in a row (default 2, ``PRACTICE_MASTERED_AFTER``) master it. Right answers in exams do not master
an entry: mastering is what practice is for.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accounts.models import Employee, EmployeeStatus
from core.extensions import db
from practice.models import DepartmentMastery, Mastery, Mistake, Source
from question_bank.models import KnowledgePoint, question_tag_links

RECENT = 10
MIN_ANSWERS = 3  # mastery is known from 3 answers on (practice/mastery.py)


def mastered_after() -> int:
    """How many right answers in a row master a mistake (configurable, default 2)."""
    return max(1, int(current_app.config.get("PRACTICE_MASTERED_AFTER", 2)))


def record_mistake(employee_id: int, question_id: int, correct: bool, now: dt.datetime, *,
                   source: str = Source.PRACTICE, exam_id: int | None = None) -> Mistake | None:  # fmt: skip
    """Update the mistake book for one answer; returns the entry (None when a right answer has none)."""
    entry = db.session.scalar(
        select(Mistake).where(Mistake.employee_id == employee_id, Mistake.question_id == question_id)
    )
    if correct:
        if entry is None or entry.mastered_at is not None or source != Source.PRACTICE:
            return entry
        entry.streak += 1
        if entry.streak >= mastered_after():
            entry.mastered_at = now
            entry.times_mastered += 1
        return entry
    if entry is None:
        entry = Mistake(employee_id=employee_id, question_id=question_id, times_wrong=0, first_wrong_at=now)
        db.session.add(entry)
    entry.times_wrong = (entry.times_wrong or 0) + 1
    entry.last_wrong_at = now
    entry.source = source
    entry.exam_id = exam_id
    entry.streak = 0
    entry.mastered_at = None
    return entry


def point_ids_with_ancestors(question_ids: list[int]) -> dict[int, set[int]]:
    """For each question, its knowledge points and every point above them (a chapter's mastery counts the
    answers on all its points)."""
    rows = db.session.execute(
        select(question_tag_links.c.question_id, KnowledgePoint.id, KnowledgePoint.path)
        .join(KnowledgePoint, KnowledgePoint.id == question_tag_links.c.tag_id)
        .where(question_tag_links.c.question_id.in_(question_ids))
    ).all()
    out: dict[int, set[int]] = {q: set() for q in question_ids}
    for question_id, point_id, path in rows:
        out[question_id].add(point_id)
        out[question_id].update(int(p) for p in (path or "").strip("/").split("/") if p)
    return out


def record_mastery(employee_id: int, results: list[tuple[int, bool]], now: dt.datetime) -> None:
    """Add answers ``(question id, right?)`` to the person's recent answers on each point they touch."""
    if not results:
        return
    points = point_ids_with_ancestors(sorted({q for q, _ok in results}))
    touched = sorted({p for q, _ok in results for p in points[q]})
    if not touched:
        return
    rows = {
        m.knowledge_point_id: m
        for m in db.session.scalars(
            select(Mastery).where(Mastery.employee_id == employee_id, Mastery.knowledge_point_id.in_(touched))
        )
    }
    before = {point_id: row.recent for point_id, row in rows.items()}
    for question_id, correct in results:
        for point_id in points[question_id]:
            row = rows.get(point_id)
            if row is None:
                row = rows[point_id] = Mastery(
                    employee_id=employee_id, knowledge_point_id=point_id, recent="", right_count=0, answered=0
                )
                db.session.add(row)
            row.recent = (row.recent + ("1" if correct else "0"))[-RECENT:]
            row.right_count = row.recent.count("1")
            row.answered += 1
            row.updated_at = now
    employee = db.session.get(Employee, employee_id)
    if employee is not None and employee.status == EmployeeStatus.ACTIVE:
        changes = {p: (before.get(p, ""), rows[p].recent) for p in touched if p in rows}
        _department_deltas(employee.department_id, changes)


def _share(recent: str) -> Decimal | None:
    """A person's known mastery (0..1, 4 places) from their recent answers; None below 3 answers."""
    if len(recent) < MIN_ANSWERS:
        return None
    return (Decimal(recent.count("1")) / Decimal(len(recent))).quantize(Decimal("0.0001"))


def _department_deltas(department_id: int | None, changes: dict[int, tuple[str, str]]) -> None:
    """Apply each point's change of one person's known mastery (old recent, new recent) to the department's
    sums, one atomic upsert per point (two people of one department may answer at the same time)."""
    if department_id is None:
        return
    for point_id, (old, new) in changes.items():
        before, after = _share(old), _share(new)
        people = (after is not None) - (before is not None)
        share = (after or Decimal(0)) - (before or Decimal(0))
        if people or share:
            _add_to_sum(department_id, point_id, people, share)


def _add_to_sum(department_id: int, point_id: int, people: int, share: Decimal) -> None:
    """``INSERT … ON CONFLICT DO UPDATE SET people = people + …``: one statement, whether the row exists or not."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(DepartmentMastery.__table__).values(
        department_id=department_id, knowledge_point_id=point_id, people=people, share_sum=share
    )
    table = DepartmentMastery.__table__
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["department_id", "knowledge_point_id"],
            set_={"people": table.c.people + people, "share_sum": table.c.share_sum + share},
        )
    )


def rebuild_department_mastery() -> int:
    """Recompute every department's sums from the people's mastery (active staff, their current department);
    returns the number of rows written."""
    known = func.length(Mastery.recent) >= MIN_ANSWERS
    rows = db.session.execute(
        select(
            Employee.department_id,
            Mastery.knowledge_point_id,
            func.count(),
            func.sum(Mastery.right_count * 1.0 / func.length(Mastery.recent)),
        )
        .join(Employee, Employee.id == Mastery.employee_id)
        .where(known, Employee.status == EmployeeStatus.ACTIVE, Employee.department_id.is_not(None))
        .group_by(Employee.department_id, Mastery.knowledge_point_id)
    ).all()
    db.session.execute(DepartmentMastery.__table__.delete())
    if rows:
        db.session.execute(
            DepartmentMastery.__table__.insert(),
            [
                {
                    "department_id": d,
                    "knowledge_point_id": k,
                    "people": n,
                    "share_sum": Decimal(str(round(s, 4))),
                }
                for d, k, n, s in rows
            ],
        )
    db.session.flush()
    return len(rows)
