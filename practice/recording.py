"""What one answer changes, from practice or from a released exam: the mistake book and mastery.

The mistake book: a wrong answer adds the question (or counts another wrong and puts a mastered entry back
on the active list); a right answer in practice adds one to the entry's streak, and ``mastered_after``
rights in a row (default 2, ``PRACTICE_MASTERED_AFTER``) master it. Right answers in exams do not master
an entry: mastering is what practice is for.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from practice.models import Mastery, Mistake, Source
from question_bank.models import KnowledgePoint, question_tag_links

RECENT = 10


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
