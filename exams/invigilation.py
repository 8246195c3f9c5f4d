"""What the invigilator and the exam's owner do on the monitor, and what the candidate's page reports:

- **collect now** (收卷): submit and grade an open attempt now (one, or every open attempt of the exam);
- **reopen** a submitted attempt for a number of minutes (a pass it had is withdrawn first, exactly as a
  regrade that turns a pass into a fail withdraws it; the new submission grades and credits again);
- **message** one candidate or all, shown on the candidate's exam page at its next poll (within seconds);
- **focus loss** reported by the candidate's page (``record_focus``), collected at the exam's limit.

Every action is audited with the reason given (a message is audited with its text). Extra time is an
arrangement (``exams.arrangements.add_extra_time``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import Employee, User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from exams import outcomes, runtime
from exams.arrangements import require_reason
from exams.errors import ExamError
from exams.models import Attempt, AttemptItem, AttemptStatus, Exam, ExamMessage, FocusEvent

FOCUS_KINDS = ("hidden", "blur")
MAX_MESSAGE = 500
MAX_REOPEN_MINUTES = 240


def collect_attempt(attempt: Attempt, now: dt.datetime, *, reason: str, by: User | None) -> bool:
    """Submit and grade the open attempt now (收卷); False when it was no longer open."""
    reason = require_reason(reason)
    if not runtime.submit_attempt(attempt, now, auto=True):
        return False
    attempt.collected = True
    db.session.flush()
    audit.record("attempt.collect", attempt, exam_id=attempt.exam_id, reason=reason, by=by.id if by else None)
    return True


def collect_all(exam: Exam, now: dt.datetime, *, reason: str, by: User) -> int:
    """Collect every open attempt of the exam; how many were collected."""
    reason = require_reason(reason)
    ids = db.session.scalars(
        select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.status == AttemptStatus.OPEN)
    ).all()
    collected = sum(
        collect_attempt(db.session.get(Attempt, attempt_id), now, reason=reason, by=by) for attempt_id in ids
    )
    audit.record("exam.collect_all", exam, collected=collected, reason=reason)
    return collected


def reopen_attempt(attempt: Attempt, minutes: int, now: dt.datetime, *, reason: str, by: User) -> None:
    """Open a submitted attempt again for ``minutes`` (its answers kept; hand marks cleared for remarking).

    Refused while the candidate has another attempt open; a pass it had is withdrawn first."""
    reason = require_reason(reason)
    if attempt.is_open:
        raise ExamError(_("This attempt is still in progress."))
    if not 1 <= minutes <= MAX_REOPEN_MINUTES:
        raise ExamError(_("Reopen for between 1 and %(n)d minutes.", n=MAX_REOPEN_MINUTES))
    if attempt.passed:
        outcomes.withdraw_pass(attempt, reason, now, by=by)
    try:
        with db.session.begin_nested():
            attempt.status = AttemptStatus.OPEN
            db.session.flush()
    except IntegrityError:
        db.session.refresh(attempt)
        raise ExamError(_("The candidate has another attempt in progress.")) from None
    attempt.submitted_at = attempt.graded_at = attempt.score = attempt.passed = None
    attempt.auto_submitted = attempt.collected = False
    attempt.deadline = now + dt.timedelta(minutes=minutes)
    db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.qtype == "essay")
        .values(mark=None, rubric_marks=None, graded_by_id=None, graded_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    audit.record(
        "attempt.reopen",
        attempt,
        exam_id=attempt.exam_id,
        minutes=minutes,
        deadline=attempt.deadline,
        reason=reason,
    )


def send_message(
    exam: Exam, employee: Employee | None, body: str, *, by: User, now: dt.datetime
) -> ExamMessage:
    """A message to one candidate, or (``employee`` None) to every candidate of the exam."""
    body = (body or "").strip()
    if not body:
        raise ExamError(_("Write the message."))
    if len(body) > MAX_MESSAGE:
        raise ExamError(_("A message has at most %(n)d characters.", n=MAX_MESSAGE))
    message = ExamMessage(
        exam_id=exam.id,
        employee_id=employee.id if employee else None,
        body=body,
        sent_by_id=by.id,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    audit.record(
        "exam.message", exam, to_employee=employee.id if employee else "all", message_id=message.id, body=body
    )
    return message


def messages_for(attempt: Attempt, after_id: int = 0) -> list[dict]:
    """Messages for the candidate of ``attempt`` (to them or to all) sent since the attempt started."""
    rows = db.session.execute(
        select(ExamMessage.id, ExamMessage.body, ExamMessage.created_at)
        .where(
            ExamMessage.exam_id == attempt.exam_id,
            ExamMessage.id > after_id,
            or_(ExamMessage.employee_id.is_(None), ExamMessage.employee_id == attempt.employee_id),
            ExamMessage.created_at >= attempt.started_at - dt.timedelta(minutes=30),
        )
        .order_by(ExamMessage.id)
    ).all()
    return [{"id": r.id, "body": r.body, "at": r.created_at.isoformat()} for r in rows]


def record_focus(attempt: Attempt, kind: str, now: dt.datetime) -> dict:
    """Log one focus loss on an open attempt of an exam that logs them; collect at the exam's limit.

    Answers what the page should do: ``{"count", "warn", "collected", "logged"}``."""
    exam = attempt.exam
    if kind not in FOCUS_KINDS:
        raise ExamError(_("Unknown event."))
    if not exam.log_focus or not attempt.is_open or attempt.deadline <= now:
        return {"count": attempt.focus_events, "warn": False, "collected": False, "logged": False}
    db.session.execute(insert(FocusEvent).values(attempt_id=attempt.id, kind=kind, at=now))
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(focus_events=Attempt.focus_events + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    count = attempt.focus_events
    warn = bool(exam.focus_warn_after) and count >= exam.focus_warn_after
    collected = bool(exam.focus_collect_after) and count >= exam.focus_collect_after
    if collected:
        collect_attempt(attempt, now, reason=_("Left the exam page %(n)d times", n=count), by=None)
    return {"count": count, "warn": warn, "collected": collected, "logged": True}


def focus_events(attempt: Attempt) -> list[FocusEvent]:
    return list(
        db.session.scalars(
            select(FocusEvent).where(FocusEvent.attempt_id == attempt.id).order_by(FocusEvent.id)
        )
    )
