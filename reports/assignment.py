"""Rule-based assignment and recertification (自动指派).

- ``course``: people on post in position X must complete course Y every N months. Someone who never
  completed it, or whose last completion was N months ago or more, is due; they are enrolled (as an assigned
  enrolment) in the earliest scheduled session of the course held by their department or one above it. Nobody
  is enrolled when they already hold an enrolment in an upcoming session of the course; when no session is
  scheduled yet the person is shown as waiting and is enrolled the night one appears.
- ``renewal``: holders of a current, unrevoked certificate of type Z whose expiry is within N days (or past)
  join the audience of the renewal exam (as a named person), once per certificate record.

The nightly job (``reports/jobs.py``) applies every enabled rule; a person who changed position is judged by
the position they hold that night. Each (rule, person, cycle) is recorded once in ``assignment_records`` — the
unique key makes a second run, or a second worker, add nobody twice — with what they were added to and why;
each run writes one audit entry per rule and notifies the people added. ``preview`` computes the same list
without writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from accounts.models import Department, Employee, EmployeeStatus, User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import BULK_PAGE, notify_many, smtp_configured
from core.timeutil import local_date
from exams.models import AudienceKind, Exam, ExamAudience
from reports.errors import ReportError
from reports.models import AssignmentKind, AssignmentRecord, AssignmentRule
from training.models import (
    CourseCompletion,
    Enrolment,
    EnrolmentStatus,
    QualificationRecord,
    SessionStatus,
    TrainingSession,
)


@dataclass
class Candidate:
    employee_id: int
    cycle_key: str  # first / due:<date> / record:<id>
    reason: str  # the date the reason rests on (last completion, expiry), ISO
    target: str | None  # session:<id> / exam:<id>; None when nothing to join yet


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def candidates(rule: AssignmentRule, now: dt.datetime) -> list[Candidate]:
    """Who ``rule`` would add tonight, and to what (nobody already added for the same cycle)."""
    found = (
        _course_candidates(rule, now)
        if rule.kind == AssignmentKind.COURSE
        else _renewal_candidates(rule, now)
    )
    done = set(
        db.session.execute(
            select(AssignmentRecord.employee_id, AssignmentRecord.cycle_key).where(
                AssignmentRecord.rule_id == rule.id
            )
        ).all()
    )
    return [c for c in found if (c.employee_id, c.cycle_key) not in done]


def _course_candidates(rule: AssignmentRule, now: dt.datetime) -> list[Candidate]:
    today = local_date(now)
    last = (
        select(CourseCompletion.employee_id, func.max(CourseCompletion.completed_on).label("last"))
        .where(CourseCompletion.course_id == rule.course_id)
        .group_by(CourseCompletion.employee_id)
        .subquery()
    )
    people = db.session.execute(
        select(Employee.id, Department.path, last.c.last)
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(last, last.c.employee_id == Employee.id)
        .where(Employee.position_id == rule.position_id, Employee.status == EmployeeStatus.ACTIVE)
    ).all()
    sessions = db.session.execute(
        select(TrainingSession.id, Department.path)
        .join(Department, Department.id == TrainingSession.department_id)
        .where(
            TrainingSession.course_id == rule.course_id,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    booked, withdrawn = set(), set()
    for session_id, employee_id, status in db.session.execute(
        select(Enrolment.session_id, Enrolment.employee_id, Enrolment.status).where(
            Enrolment.session_id.in_([s.id for s in sessions])
        )
    ):
        if status == EnrolmentStatus.WITHDRAWN:
            withdrawn.add((session_id, employee_id))
        else:
            booked.add(employee_id)
    found = []
    for employee_id, path, last_done in people:
        if employee_id in booked:
            continue
        if last_done is None:
            cycle, reason = "first", ""
        else:
            due = add_months(last_done, rule.every_months or 12)
            if due > today:
                continue
            cycle, reason = f"due:{due.isoformat()}", last_done.isoformat()
        session = next(
            (
                sid
                for sid, spath in sessions
                if path.startswith(spath) and (sid, employee_id) not in withdrawn
            ),
            None,
        )
        found.append(Candidate(employee_id, cycle, reason, f"session:{session}" if session else None))
    return found


def _renewal_candidates(rule: AssignmentRule, now: dt.datetime) -> list[Candidate]:
    horizon = local_date(now) + dt.timedelta(days=rule.days_before)
    rows = db.session.execute(
        select(QualificationRecord.id, QualificationRecord.employee_id, QualificationRecord.expires_on)
        .join(Employee, Employee.id == QualificationRecord.employee_id)
        .where(
            QualificationRecord.certificate_type_id == rule.certificate_type_id,
            QualificationRecord.superseded_at.is_(None),
            QualificationRecord.revoked_at.is_(None),
            QualificationRecord.expires_on.is_not(None),
            QualificationRecord.expires_on <= horizon,
            Employee.status == EmployeeStatus.ACTIVE,
        )
    ).all()
    listed = set(
        db.session.scalars(
            select(ExamAudience.target_id).where(
                ExamAudience.exam_id == rule.exam_id, ExamAudience.kind == AudienceKind.EMPLOYEE
            )
        )
    )
    return [
        Candidate(employee_id, f"record:{record_id}", expires.isoformat(), f"exam:{rule.exam_id}")
        for record_id, employee_id, expires in rows
        if employee_id not in listed
    ]


def run_rule(rule: AssignmentRule, now: dt.datetime) -> int:
    """Apply ``rule``: add the due people (enrolments or exam audience), record each once, notify them and
    audit the run. Returns how many were added."""
    ready = [c for c in candidates(rule, now) if c.target is not None]
    if not ready:
        rule.last_run_at = now
        return 0
    added = _record(rule, ready, now)
    if not added:
        rule.last_run_at = now
        return 0
    by_target: dict[str, list[int]] = defaultdict(list)
    for c in added:
        by_target[c.target].append(c.employee_id)
    for target, employee_ids in by_target.items():
        _add_to(target, employee_ids, now)
        _notify(rule, target, employee_ids, now)
    rule.last_run_at = now
    db.session.flush()
    audit.record(
        "report.assignment_run", rule, added=len(added), employees=[c.employee_id for c in added][:50]
    )
    return len(added)


def _add_to(target: str, employee_ids: list[int], now: dt.datetime) -> None:
    """Enrol the people in the session, or name them in the exam's audience: one multi-row insert (a first
    night can add tens of thousands), with the same audit entry per row that an ORM insert would get."""
    kind, _sep, target_id = target.partition(":")
    if kind == "session":
        model = Enrolment
        rows = [
            {
                "session_id": int(target_id),
                "employee_id": e,
                "status": EnrolmentStatus.ENROLLED,
                "assigned": True,
                "requested_at": now,
            }
            for e in employee_ids
        ]
    else:
        model = ExamAudience
        rows = [
            {"exam_id": int(target_id), "kind": AudienceKind.EMPLOYEE, "target_id": e} for e in employee_ids
        ]
    person = model.employee_id if model is Enrolment else model.target_id
    field = "employee_id" if model is Enrolment else "target_id"
    for start in range(0, len(rows), 1000):
        part = rows[start : start + 1000]
        # executemany: compiled once, sent as multi-row VALUES batches; RETURNING in any order (SQLite
        # cannot batch it in parameter order), each new id matched to its row by the person it names
        ids: dict[int, list[int]] = defaultdict(list)
        statement = (
            insert(model).returning(model.id, person).execution_options(insertmanyvalues_page_size=BULK_PAGE)
        )
        for new_id, employee_id in db.session.execute(statement, part):
            ids[employee_id].append(new_id)
        audit.record_inserted(model, [{"id": ids[row[field]].pop(), **row} for row in part])


def _record(rule: AssignmentRule, ready: list[Candidate], now: dt.datetime) -> list[Candidate]:
    """Insert the once-records, skipping any another worker wrote first; returns the candidates this run owns."""
    values = [
        {
            "rule_id": rule.id,
            "employee_id": c.employee_id,
            "cycle_key": c.cycle_key,
            "target": c.target,
            "reason": c.reason,
            "added_at": now,
        }
        for c in ready
    ]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    owned = set()
    statement = (
        insert(AssignmentRecord)
        .on_conflict_do_nothing(index_elements=["rule_id", "employee_id", "cycle_key"])
        .returning(AssignmentRecord.employee_id, AssignmentRecord.cycle_key)
        .execution_options(insertmanyvalues_page_size=BULK_PAGE)
    )
    for start in range(0, len(values), 1000):  # executemany: compiled once, batched multi-row VALUES
        owned.update(tuple(row) for row in db.session.execute(statement, values[start : start + 1000]))
    return [c for c in ready if (c.employee_id, c.cycle_key) in owned]


def _notify(rule: AssignmentRule, target: str, employee_ids: list[int], now: dt.datetime) -> None:
    query = select(User).where(User.employee_id.in_(employee_ids), User.active.is_(True))
    if smtp_configured():  # the e-mail address is the employee's: load them with the accounts
        query = query.options(selectinload(User.employee))
    users = db.session.scalars(query).all()
    if target.startswith("session:"):
        title = _l("You are enrolled in a required course (%(rule)s)", rule=rule.name)
        link = f"/training/sessions/{target.partition(':')[2]}"
    else:
        exam = db.session.get(Exam, int(target.partition(":")[2]))
        title = _l(
            "Your certificate is due for renewal: take the exam %(exam)s", exam=exam.title if exam else ""
        )
        link = "/exams/"
    notify_many(
        users,
        kind="reports.assigned",
        title=title,
        link=link,
        now=now,
        key=f"assignment:{rule.id}:{target}:{local_date(now)}",
    )


def run_all(now: dt.datetime) -> dict[int, int]:
    """The nightly job: every enabled rule, in id order. Returns rule id → people added."""
    rules = db.session.scalars(
        select(AssignmentRule).where(AssignmentRule.enabled.is_(True)).order_by(AssignmentRule.id)
    )
    return {rule.id: run_rule(rule, now) for rule in rules}


def records_of(rule: AssignmentRule, limit: int = 500) -> list[AssignmentRecord]:
    """Who ``rule`` added, newest first."""
    return list(
        db.session.scalars(
            select(AssignmentRecord)
            .where(AssignmentRecord.rule_id == rule.id)
            .order_by(AssignmentRecord.added_at.desc(), AssignmentRecord.id.desc())
            .limit(limit)
        )
    )


def save_rule(form_data: dict) -> AssignmentRule:
    """A new rule from the form's values, disabled until previewed and enabled; refuses one that lacks what
    its kind needs."""
    kind = form_data.get("kind")
    if kind == AssignmentKind.COURSE:
        if not (
            form_data.get("position_id") and form_data.get("course_id") and form_data.get("every_months")
        ):
            raise ReportError(_("A course rule needs a position, a course and how many months."))
    elif kind == AssignmentKind.RENEWAL:
        if not (
            form_data.get("certificate_type_id") and form_data.get("exam_id") and form_data.get("days_before")
        ):
            raise ReportError(
                _("A renewal rule needs a certificate, the renewal exam and how many days before expiry.")
            )
    else:
        raise ReportError(_("Choose the kind of rule."))
    fields = (
        ("position_id", "course_id", "every_months")
        if kind == AssignmentKind.COURSE
        else ("certificate_type_id", "exam_id", "days_before")
    )
    rule = AssignmentRule(
        name=form_data["name"].strip(), kind=kind, enabled=False, **{f: form_data[f] for f in fields}
    )
    db.session.add(rule)
    db.session.flush()
    return rule
