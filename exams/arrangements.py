"""Per-candidate arrangements (like Moodle's user overrides): extra time, a window of their own (缓考) and
extra attempts, set before or during the exam, with a reason, audited, visible on the monitor.

The server's rules that use them live here, so the runtime, the candidate's pages and the monitor agree:
- the candidate's window is their own ``opens_at`` / ``closes_at`` where set, else the exam's;
- the attempts allowed are the exam's plus ``extra_attempts``;
- the deadline of an attempt is min(start + duration + extra, window close + extra): extra time lengthens
  the sitting, and may run past the close by the same minutes (someone who starts when the window opens
  and the window is exactly the duration still gets their extra time);
- extra time granted while an attempt is open moves that attempt's deadline by the minutes added (the
  timer picks it up at its next sync); a new window applies to attempts started afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Employee, User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from exams.errors import ExamError
from exams.models import Arrangement, Attempt, AttemptStatus, Exam

MAX_EXTRA_MINUTES = 24 * 60
MAX_EXTRA_ATTEMPTS = 10


@dataclass(frozen=True)
class Terms:
    """What applies to one candidate: their window, attempts allowed and extra minutes."""

    opens_at: dt.datetime
    closes_at: dt.datetime
    max_attempts: int
    extra_minutes: int
    arranged: bool


def arrangement_for(exam_id: int, employee_id: int) -> Arrangement | None:
    return db.session.scalar(
        select(Arrangement).where(Arrangement.exam_id == exam_id, Arrangement.employee_id == employee_id)
    )


def arrangements_of(exam: Exam) -> dict[int, Arrangement]:
    """Every arrangement of the exam by employee id (one query)."""
    rows = db.session.scalars(select(Arrangement).where(Arrangement.exam_id == exam.id))
    return {a.employee_id: a for a in rows}


def terms_from(exam: Exam, arrangement: Arrangement | None) -> Terms:
    if arrangement is None:
        return Terms(exam.opens_at, exam.closes_at, exam.max_attempts, 0, False)
    return Terms(
        arrangement.opens_at or exam.opens_at,
        arrangement.closes_at or exam.closes_at,
        exam.max_attempts + (arrangement.extra_attempts or 0),
        arrangement.extra_minutes or 0,
        True,
    )


def terms(exam: Exam, employee_id: int) -> Terms:
    """The terms that apply to this candidate at this exam."""
    return terms_from(exam, arrangement_for(exam.id, employee_id))


def deadline(exam: Exam, started_at: dt.datetime, t: Terms) -> dt.datetime:
    """min(start + duration + extra, window close + extra)."""
    extra = dt.timedelta(minutes=t.extra_minutes)
    return min(started_at + dt.timedelta(minutes=exam.duration_minutes) + extra, t.closes_at + extra)


def _open_attempt(exam: Exam, employee_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.exam_id == exam.id,
            Attempt.employee_id == employee_id,
            Attempt.status == AttemptStatus.OPEN,
        )
    )


def _check(extra_minutes: int, extra_attempts: int, opens_at, closes_at) -> None:
    if not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        raise ExamError(_("Extra time is between 0 and %(n)d minutes.", n=MAX_EXTRA_MINUTES))
    if not 0 <= extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise ExamError(_("Extra attempts are between 0 and %(n)d.", n=MAX_EXTRA_ATTEMPTS))
    if (opens_at is None) != (closes_at is None):
        raise ExamError(_("A window of their own needs both an opening and a closing time."))
    if opens_at is not None and closes_at <= opens_at:
        raise ExamError(_("The window must close after it opens."))


def require_reason(reason: str) -> str:
    """The reason every exam-day action is audited with (required, at most 1,000 characters)."""
    reason = (reason or "").strip()
    if not reason:
        raise ExamError(_("Give a reason: it is kept in the audit log."))
    return reason[:1000]


def grant(
    exam: Exam,
    employee: Employee,
    *,
    extra_minutes: int = 0,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    extra_attempts: int = 0,
    reason: str,
    by: User,
    now: dt.datetime,
) -> Arrangement:
    """Set (replace) the candidate's arrangement; an open attempt's deadline moves by the minutes added.

    The caller has checked that ``employee`` is a candidate of the exam."""
    reason = require_reason(reason)
    _check(extra_minutes, extra_attempts, opens_at, closes_at)
    arrangement = arrangement_for(exam.id, employee.id)
    before = 0 if arrangement is None else arrangement.extra_minutes
    if arrangement is None:
        arrangement = Arrangement(exam_id=exam.id, employee_id=employee.id)
        db.session.add(arrangement)
    arrangement.extra_minutes = extra_minutes
    arrangement.extra_attempts = extra_attempts
    arrangement.opens_at, arrangement.closes_at = opens_at, closes_at
    arrangement.reason, arrangement.granted_by_id, arrangement.granted_at = reason, by.id, now
    db.session.flush()
    moved = _move_open_deadline(exam, employee.id, extra_minutes - before, now)
    audit.record(
        "exam.arrangement",
        arrangement,
        exam_id=exam.id,
        employee_id=employee.id,
        extra_minutes=extra_minutes,
        extra_attempts=extra_attempts,
        opens_at=opens_at,
        closes_at=closes_at,
        deadline_moved_to=moved,
        reason=reason,
    )
    return arrangement


def add_extra_time(exam: Exam, employee: Employee, minutes: int, *, reason: str, by: User, now: dt.datetime):
    """The monitor's "extra time": ``minutes`` more for this candidate, now and for later attempts."""
    if not 1 <= minutes <= 240:
        raise ExamError(_("Add between 1 and 240 minutes."))
    current = arrangement_for(exam.id, employee.id)
    return grant(
        exam,
        employee,
        extra_minutes=(current.extra_minutes if current else 0) + minutes,
        opens_at=current.opens_at if current else None,
        closes_at=current.closes_at if current else None,
        extra_attempts=current.extra_attempts if current else 0,
        reason=reason,
        by=by,
        now=now,
    )


def _move_open_deadline(exam: Exam, employee_id: int, delta_minutes: int, now: dt.datetime):
    """Move a running attempt's deadline by the extra minutes added (or taken back, never before now)."""
    attempt = _open_attempt(exam, employee_id)
    if attempt is None or delta_minutes == 0 or attempt.deadline <= now:
        return None
    attempt.deadline = max(now, attempt.deadline + dt.timedelta(minutes=delta_minutes))
    db.session.flush()
    return attempt.deadline


def remove(arrangement: Arrangement, *, reason: str, by: User, now: dt.datetime) -> None:
    """Withdraw an arrangement (audited); a running attempt loses the extra minutes it had."""
    reason = require_reason(reason)
    _move_open_deadline(
        arrangement_exam(arrangement), arrangement.employee_id, -arrangement.extra_minutes, now
    )
    audit.record(
        "exam.arrangement_removed",
        arrangement,
        exam_id=arrangement.exam_id,
        employee_id=arrangement.employee_id,
        reason=reason,
        by=by.id,
    )
    db.session.delete(arrangement)
    db.session.flush()


def arrangement_exam(arrangement: Arrangement) -> Exam:
    return db.session.get(Exam, arrangement.exam_id)
