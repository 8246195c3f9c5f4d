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
from sqlalchemy import Integer, bindparam, case, func, select
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


def _insert():
    """The dialect's INSERT (both have ``on_conflict_do_update``)."""
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


_built: dict[tuple[str, str], object] = {}


def _statement(name: str):
    """The write statements of one answer, built once per dialect with bound parameters (building them per
    answer cost more CPU than running them; issue 17 §5)."""
    key = (db.session.get_bind().dialect.name, name)
    if key not in _built:
        _built[key] = _BUILDERS[name](_insert())
    return _built[key]


def _mistake_wrong(insert):
    table = Mistake.__table__
    statement = insert(table).values(
        employee_id=bindparam("p_employee"), question_id=bindparam("p_question"), times_wrong=1,
        first_wrong_at=bindparam("p_now"), last_wrong_at=bindparam("p_now"), source=bindparam("p_source"),
        exam_id=bindparam("p_exam"), streak=0, times_mastered=0, mastered_at=None,
    )  # fmt: skip
    return statement.on_conflict_do_update(
        index_elements=["employee_id", "question_id"],
        set_={
            "times_wrong": table.c.times_wrong + 1,
            "last_wrong_at": statement.excluded.last_wrong_at,
            "source": statement.excluded.source,
            "exam_id": statement.excluded.exam_id,
            "streak": 0,
            "mastered_at": None,
        },
    )


def _mistake_right(_insert):
    table = Mistake.__table__
    reached = table.c.streak + 1 >= bindparam("p_after", type_=Integer)
    return (
        table.update()
        .where(
            table.c.employee_id == bindparam("p_employee"),
            table.c.question_id == bindparam("p_question"),
            table.c.mastered_at.is_(None),
        )
        .values(
            streak=table.c.streak + 1,
            mastered_at=case((reached, bindparam("p_now", type_=table.c.mastered_at.type)), else_=None),
            times_mastered=table.c.times_mastered + case((reached, 1), else_=0),
        )
    )


def _mastery_upsert(insert):
    table = Mastery.__table__
    statement = insert(table).values(
        employee_id=bindparam("p_employee"), knowledge_point_id=bindparam("p_point"),
        recent=bindparam("p_recent"), right_count=bindparam("p_right"), answered=bindparam("p_added"),
        updated_at=bindparam("p_now"),
    )  # fmt: skip
    return statement.on_conflict_do_update(
        index_elements=["employee_id", "knowledge_point_id"],
        set_={
            "recent": statement.excluded.recent,
            "right_count": statement.excluded.right_count,
            "answered": table.c.answered + statement.excluded.answered,
            "updated_at": statement.excluded.updated_at,
        },
    )


def _department_upsert(insert):
    table = DepartmentMastery.__table__
    statement = insert(table).values(
        department_id=bindparam("p_department"), knowledge_point_id=bindparam("p_point"),
        people=bindparam("p_people"), share_sum=bindparam("p_share", type_=table.c.share_sum.type),
    )  # fmt: skip
    return statement.on_conflict_do_update(
        index_elements=["department_id", "knowledge_point_id"],
        set_={
            "people": table.c.people + statement.excluded.people,
            "share_sum": table.c.share_sum + statement.excluded.share_sum,
        },
    )


_BUILDERS = {
    "mistake_wrong": _mistake_wrong,
    "mistake_right": _mistake_right,
    "mastery": _mastery_upsert,
    "department": _department_upsert,
}


def _expire_loaded(model, employee_id: int, column: str, ids) -> None:
    """Expire the session's loaded rows of ``model`` the statements just changed behind the ORM's back (so
    a caller holding one reads it again); nothing is read now."""
    ids = set(ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model) and obj.employee_id == employee_id and getattr(obj, column) in ids:
            db.session.expire(obj)


def record_mistake(employee_id: int, question_id: int, correct: bool, now: dt.datetime, *,
                   source: str = Source.PRACTICE, exam_id: int | None = None) -> None:  # fmt: skip
    """Update the mistake book for one answer, in one statement (none for a right answer from an exam).

    A wrong answer is an ``INSERT … ON CONFLICT DO UPDATE`` (a new entry, or one more wrong that resets the
    streak and puts a mastered entry back); a right answer in practice an ``UPDATE`` of the active entry, if
    any (the streak grows; ``mastered_after`` in a row masters it). Issue 17 §5: no entry is loaded."""
    params = {"p_employee": employee_id, "p_question": question_id, "p_now": now}
    if correct:
        if source != Source.PRACTICE:
            return
        db.session.execute(_statement("mistake_right"), {**params, "p_after": mastered_after()})
    else:
        db.session.execute(
            _statement("mistake_wrong"), {**params, "p_source": str(source), "p_exam": exam_id}
        )
    _expire_loaded(Mistake, employee_id, "question_id", [question_id])


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


def record_mastery(
    employee_id: int,
    results: list[tuple[int, bool]],
    now: dt.datetime,
    *,
    points: dict[int, set[int]] | None = None,
) -> None:
    """Add answers ``(question id, right?)`` to the person's recent answers on each point they touch.

    ``points`` (question → its points with their ancestors) when the caller read them already. Three
    statements whatever the number of points: the person's rows on those points, one upsert of them all,
    one upsert of the department's sums (issue 17 §5)."""
    if not results:
        return
    if points is None:
        points = point_ids_with_ancestors(sorted({q for q, _ok in results}))
    touched = sorted({p for q, _ok in results for p in points.get(q, ())})
    if not touched:
        return
    before = dict(
        db.session.execute(
            select(Mastery.knowledge_point_id, Mastery.recent).where(
                Mastery.employee_id == employee_id, Mastery.knowledge_point_id.in_(touched)
            )
        ).all()
    )
    added = dict.fromkeys(touched, 0)
    recent = dict(before)
    for question_id, correct in results:
        for point_id in points.get(question_id, ()):
            recent[point_id] = (recent.get(point_id, "") + ("1" if correct else "0"))[-RECENT:]
            added[point_id] += 1
    db.session.execute(
        _statement("mastery"),
        [
            {
                "p_employee": employee_id,
                "p_point": p,
                "p_recent": recent[p],
                "p_right": recent[p].count("1"),
                "p_added": added[p],
                "p_now": now,
            }  # fmt: skip
            for p in touched
        ],
    )
    _expire_loaded(Mastery, employee_id, "knowledge_point_id", touched)
    employee = db.session.get(Employee, employee_id)
    if employee is not None and employee.status == EmployeeStatus.ACTIVE:
        _department_deltas(employee.department_id, {p: (before.get(p, ""), recent[p]) for p in touched})


def _share(recent: str) -> Decimal | None:
    """A person's known mastery (0..1, 4 places) from their recent answers; None below 3 answers."""
    if len(recent) < MIN_ANSWERS:
        return None
    return (Decimal(recent.count("1")) / Decimal(len(recent))).quantize(Decimal("0.0001"))


def _department_deltas(department_id: int | None, changes: dict[int, tuple[str, str]]) -> None:
    """Apply each point's change of one person's known mastery (old recent, new recent) to the department's
    sums: one atomic multi-row ``INSERT … ON CONFLICT DO UPDATE SET people = people + …`` (two people of
    one department may answer at the same time)."""
    if department_id is None:
        return
    rows = []
    for point_id, (old, new) in sorted(changes.items()):
        before, after = _share(old), _share(new)
        people = (after is not None) - (before is not None)
        share = (after or Decimal(0)) - (before or Decimal(0))
        if people or share:
            rows.append(
                {
                    "p_department": department_id,
                    "p_point": point_id,
                    "p_people": people,
                    "p_share": share,
                }
            )
    if not rows:
        return
    db.session.execute(_statement("department"), rows)


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
