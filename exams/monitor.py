"""The live monitor's picture of an exam (考试监控) and the absentees list (缺考), read with a fixed
number of column queries, however many candidates, so that a room of 1,000 answers in well under 200 ms on
PostgreSQL (the number is pinned by tests/exams/test_monitor.py):

1. the candidates (``services.audience_clause``; for a re-sit, those whose final result on the exam it
   repeats is a fail) with department, position, employee number and their arrangement (extra time, own
   window, extra attempts), outer-joined;
2. every attempt of the exam (the latest one per candidate is shown, and how many they used) with its
   answered count, the questions on the paper and the last save: on PostgreSQL a LATERAL aggregate per
   attempt over ``attempt_items`` (its (attempt_id, position) index; no sort of every answer row, which
   spilled to disk when 50,000 rows were grouped at once); elsewhere one GROUP BY.

A candidate's state: not started; in progress; submitted; auto-submitted (time ran out, or collected);
absent (never started, and their window has closed). "Answered" counts questions with a saved answer
(a save of an emptied answer still counts: the monitor shows activity, the result shows the marks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select, true

from accounts.models import Department, Employee, Position
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.spreadsheets import write_xlsx
from core.timeutil import to_local
from exams import arrangements
from exams.errors import ExamError
from exams.models import Arrangement, Attempt, AttemptItem, AttemptStatus, AudienceKind, Exam
from exams.results import final_attempts
from exams.services import audience_clause, create_resit

STATES = ("not_started", "in_progress", "submitted", "auto_submitted", "absent")


@dataclass(frozen=True)
class MonitorFilters:
    department_id: int | None = None
    state: str = ""


def _candidate_clause(exam: Exam):
    """Who the exam is for: its audience, or for a re-sit whoever failed the exam it repeats."""
    if exam.parent_exam_id is None:
        return audience_clause(exam)
    parent = db.session.get(Exam, exam.parent_exam_id)
    ids = set(_failed_ids(parent)) if parent is not None and exam.resit_failed else set()
    ids |= {a.target_id for a in exam.audience if a.kind == AudienceKind.EMPLOYEE}
    return Employee.id.in_(sorted(ids)) if ids else None


def candidate_ids(exam: Exam) -> list[int]:
    """The ids of everyone the exam is for (one query; no progress figures)."""
    clause = _candidate_clause(exam)
    return [] if clause is None else list(db.session.scalars(select(Employee.id).where(clause)))


def not_started_ids(exam: Exam) -> list[int]:
    """Candidates with no attempt at the exam, leaving out those with a window of their own."""
    clause = _candidate_clause(exam)
    if clause is None:
        return []
    started = select(Attempt.employee_id).where(Attempt.exam_id == exam.id)
    own_window = select(Arrangement.employee_id).where(
        Arrangement.exam_id == exam.id, Arrangement.closes_at.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Employee.id).where(clause, Employee.id.not_in(started), Employee.id.not_in(own_window))
        )
    )


def _failed_ids(exam: Exam) -> list[int]:
    return [
        a.employee_id for a in final_attempts(exam) if a.status == AttemptStatus.GRADED and a.passed is False
    ]


def _candidates(exam: Exam, department_id: int | None) -> list:
    clause = _candidate_clause(exam)
    if clause is None:
        return []
    query = (
        select(
            Employee.id,
            Employee.employee_no,
            Employee.name,
            Employee.department_id,
            Department.name.label("department"),
            Position.name.label("position"),
            Arrangement.id.label("arrangement_id"),
            Arrangement.extra_minutes,
            Arrangement.extra_attempts,
            Arrangement.opens_at,
            Arrangement.closes_at,
            Arrangement.reason,
        )
        .join(Department, Department.id == Employee.department_id)
        .join(Position, Position.id == Employee.position_id)
        .outerjoin(Arrangement, (Arrangement.employee_id == Employee.id) & (Arrangement.exam_id == exam.id))
        .where(clause)
        .order_by(Employee.employee_no)
    )
    if department_id:
        root = db.session.get(Department, department_id)
        if root is None:
            return []
        query = query.where(Department.path.startswith(root.path))
    return db.session.execute(query).all()


_ATTEMPT_COLUMNS = (
    Attempt.id,
    Attempt.employee_id,
    Attempt.number,
    Attempt.status,
    Attempt.auto_submitted,
    Attempt.collected,
    Attempt.started_at,
    Attempt.deadline,
    Attempt.submitted_at,
    Attempt.device,
    Attempt.focus_events,
    Attempt.score,
    Attempt.max_score,
)


def _progress_columns():
    return (
        func.count(case((AttemptItem.seq > 0, 1))).label("answered"),
        func.count(case((AttemptItem.qtype != "description", 1))).label("questions"),
        func.max(AttemptItem.saved_at).label("last_save"),
    )


def _attempts_with_progress(exam: Exam):
    """Every attempt of the exam with (answered, questions, last save), in one query."""
    if db.session.get_bind().dialect.name == "postgresql":
        progress = (
            select(*_progress_columns()).where(AttemptItem.attempt_id == Attempt.id).lateral("progress")
        )
        query = select(*_ATTEMPT_COLUMNS, *progress.c).join(progress, true())
    else:  # SQLite has no LATERAL; at its sizes one GROUP BY is as good
        query = (
            select(*_ATTEMPT_COLUMNS, *_progress_columns())
            .outerjoin(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .group_by(*_ATTEMPT_COLUMNS)
        )
    return db.session.execute(
        query.where(Attempt.exam_id == exam.id).order_by(Attempt.employee_id, Attempt.number)
    ).all()


def _latest_attempts(exam: Exam) -> tuple[dict[int, object], dict[int, int]]:
    latest, used = {}, {}
    for row in _attempts_with_progress(exam):
        latest[row.employee_id] = row
        used[row.employee_id] = used.get(row.employee_id, 0) + 1
    return latest, used


def state_of(attempt, closes_at: dt.datetime, now: dt.datetime) -> str:
    if attempt is None:
        return "absent" if now >= closes_at else "not_started"
    if attempt.status == AttemptStatus.OPEN:
        return "in_progress"
    return "auto_submitted" if attempt.auto_submitted or attempt.collected else "submitted"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _row(person, attempt, used: int, default_terms: arrangements.Terms, exam: Exam, now) -> dict:
    arranged = person.arrangement_id is not None
    terms = arrangements.terms_from(exam, person) if arranged else default_terms
    row = {
        "employee_id": person.id,
        "employee_no": person.employee_no,
        "name": person.name,
        "department": person.department,
        "position": person.position,
        "state": state_of(attempt, terms.closes_at, now),
        "attempts_used": used,
        "attempts_allowed": terms.max_attempts,
        "arrangement": None,
    }
    if arranged:
        row["arrangement"] = {
            "extra_minutes": person.extra_minutes,
            "extra_attempts": person.extra_attempts,
            "opens_at": _iso(person.opens_at),
            "closes_at": _iso(person.closes_at),
            "reason": person.reason,
        }
    if attempt is not None:
        is_open = attempt.status == AttemptStatus.OPEN
        row.update(
            attempt_id=attempt.id,
            number=attempt.number,
            answered=attempt.answered,
            questions=attempt.questions,
            last_save=_iso(attempt.last_save),
            started_at=_iso(attempt.started_at),
            submitted_at=_iso(attempt.submitted_at),
            seconds_left=max(0, int((attempt.deadline - now).total_seconds())) if is_open else 0,
            device=attempt.device or "",
            focus_events=attempt.focus_events,
            collected=attempt.collected,
        )
    return row


def monitor_data(exam: Exam, now: dt.datetime, filters: MonitorFilters | None = None) -> dict:
    """The monitor's JSON: counts per state (for the department chosen) and the rows of the state chosen."""
    filters = filters or MonitorFilters()
    people = _candidates(exam, filters.department_id)
    latest, used = _latest_attempts(exam)
    default_terms = arrangements.terms_from(exam, None)
    counts = dict.fromkeys(STATES, 0)
    rows = []
    for person in people:
        row = _row(person, latest.get(person.id), used.get(person.id, 0), default_terms, exam, now)
        counts[row["state"]] += 1
        if not filters.state or row["state"] == filters.state:
            rows.append(row)
    return {
        "exam": {"id": exam.id, "title": exam.title, "closes_at": exam.closes_at.isoformat()},
        "server_now": now.isoformat(),
        "total": len(people),
        "counts": counts,
        "rows": rows,
    }


def department_choices(exam: Exam) -> list[tuple[int, str]]:
    """The departments the exam's candidates belong to, for the monitor's filter."""
    clause = _candidate_clause(exam)
    if clause is None:
        return []
    rows = db.session.execute(
        select(Department.id, Department.name)
        .where(Department.id.in_(select(Employee.department_id).where(clause)))
        .order_by(Department.path)
    ).all()
    return [(r.id, r.name) for r in rows]


# ---------------------------------------------------------------- absentees (缺考)


def absentees(exam: Exam, now: dt.datetime, department_id: int | None = None) -> list[dict]:
    """Candidates who never started and whose window has closed (with department and position)."""
    return monitor_data(exam, now, MonitorFilters(department_id=department_id, state="absent"))["rows"]


def absentees_xlsx(exam: Exam, rows: list[dict]) -> bytes:
    headers = [_("Employee number"), _("Name"), _("Department"), _("Position"), _("Window closed")]
    closes = to_local(exam.closes_at).strftime("%Y-%m-%d %H:%M")
    data = [
        [
            r["employee_no"],
            r["name"],
            r["department"],
            r["position"],
            to_local(dt.datetime.fromisoformat(r["arrangement"]["closes_at"])).strftime("%Y-%m-%d %H:%M")
            if r["arrangement"] and r["arrangement"]["closes_at"]
            else closes,
        ]
        for r in rows
    ]
    return write_xlsx(headers, data, title=_("Absentees")[:31], widths=[12, 10, 20, 16, 18])


def create_makeup_round(
    exam: Exam,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    *,
    absentees_too: bool,
    failed_too: bool,
    by,
    now: dt.datetime,
) -> Exam:
    """The make-up round (补考) after the window: a re-sit round of ``exam`` (the existing mechanism) for
    its absentees (named on the round's audience) and/or those who failed; unpublished, for a check."""
    if now < exam.closes_at:
        raise ExamError(_("The make-up round can be created once the window has closed."))
    named = tuple(r["employee_id"] for r in absentees(exam, now)) if absentees_too else ()
    resit = create_resit(exam, opens_at, closes_at, by, failed=failed_too, named=named)
    audit.record(
        "exam.makeup_round", exam, resit_id=resit.id, absentees=len(named), failed_included=failed_too
    )
    return resit
