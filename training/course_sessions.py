"""Training sessions (培训班; not web sessions): enrolment with a waiting list, attendance (trainer list or
QR), course completion (its hours go to the 学时 ledger, ``training.hours``) and the .ics calendar.

Decisions:
- Completing a course = attendance at one of its sessions, plus a recorded pass of its linked exam when
  ``course.requires_exam``. An online course (在线培训) with an exam completes on the pass alone.
- Each completion credits the course's hours once (source_key ``completion:<id>``) and issues a training
  completion certificate when the course says so; a course that grants a certificate type grants it.
- Assignment by department/position enrols everyone matched, even beyond capacity (the trainer's call);
  self-enrolment stops at capacity and puts later requests on a waiting list, promoted in request order
  when someone withdraws.
- Attendance before hours (issue 25): the QR check-in is open from ``TRAINING_CHECKIN_OPEN_BEFORE``
  minutes before the start until ``TRAINING_CHECKIN_CLOSE_AFTER`` minutes after it (defaults 30 / 15); a
  check-in after the start is flagged late. Checking in credits nothing. A second scan is the check-out.
  Hours, the completion, its certificate and the points (``core.signals.training_completed``) come only
  once the session has ended and attendance is confirmed: by a check-out after the end, or by the trainer
  confirming the attendance list (``confirm_attendance``, which is also 「标记已举办」).
- Partial attendance (``attendance_share``): the time present is counted from the check-in (the start
  when earlier; a mark on the trainer's list counts from the start) to the check-out (the end when later or
  missing). Hours = course hours × that share, rounded down to the half hour. The course counts as
  completed (certificate, qualification, points) only at ``FULL_ATTENDANCE`` (80 %) of the time or more;
  below it only the hours are credited. ``ATTENDANCE_RULE`` says so on the session page.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import func, or_, select

from accounts.models import Department, Employee, EmployeeStatus
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.timeutil import LOCAL_TZ, local_date
from training import notices
from training.completion import (  # noqa: F401 — re-exported: the package's public API
    FULL_ATTENDANCE,
    attendance_share,
    certify_completions,
    complete_if_due,
    completion_spec,
    hours_for,
    record_course_exam_passed,
)
from training.errors import TrainingError
from training.hours import credit_hours
from training.models import (
    Course,
    CourseCompletion,
    Enrolment,
    EnrolmentStatus,
    HoursSource,
    SessionStatus,
    TrainingSession,
)

# ---------------------------------------------------------------- sessions and enrolment


def create_session(
    course: Course,
    *,
    department: Department,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    trainer: Employee | None = None,
    capacity: int = 30,
    self_enrolment: bool = True,
    walk_ins: bool = False,
    plan_item=None,
) -> TrainingSession:
    """Schedule a session of ``course`` (with its own secret check-in token)."""
    if ends_at <= starts_at:
        raise TrainingError(_("The session must end after it starts."))
    if capacity < 1:
        raise TrainingError(_("The capacity must be at least 1."))
    session = TrainingSession(
        course=course,
        department=department,
        title=title or course.title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        trainer=trainer,
        capacity=capacity,
        self_enrolment=self_enrolment,
        walk_ins=walk_ins,
        plan_item=plan_item,
        checkin_token=secrets.token_urlsafe(24),
    )
    db.session.add(session)
    db.session.flush()
    return session


def update_session(
    session: TrainingSession,
    *,
    course: Course,
    department: Department,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    trainer: Employee | None,
    capacity: int,
    self_enrolment: bool,
    walk_ins: bool = False,
    plan_item=None,
) -> TrainingSession:
    """Change a scheduled session. A delivered or cancelled session keeps its record as it was; the
    capacity may not drop below the employees already enrolled (withdraw them first)."""
    if session.status != SessionStatus.SCHEDULED:
        raise TrainingError(_("Only a scheduled session can be changed."))
    if ends_at <= starts_at:
        raise TrainingError(_("The session must end after it starts."))
    if capacity < enrolled_count(session):
        raise TrainingError(
            _(
                "%(n)d employees are already enrolled: the capacity cannot be lower.",
                n=enrolled_count(session),
            )
        )
    session.course, session.department, session.title = course, department, title or course.title
    session.starts_at, session.ends_at, session.place = starts_at, ends_at, place
    session.trainer, session.capacity, session.self_enrolment = trainer, capacity, self_enrolment
    session.walk_ins = walk_ins
    session.plan_item = plan_item
    db.session.flush()
    return session


def enrolled_count(session: TrainingSession) -> int:
    return db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED
        )
    )


def enrolment_of(session: TrainingSession, employee: Employee) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.employee_id == employee.id)
    )


def assign_enrolments(
    session: TrainingSession, *, departments: list[Department], positions: list, now: dt.datetime
) -> list[Enrolment]:
    """Enrol every active employee of ``departments`` (subtrees) holding one of ``positions`` (any, when
    empty); the newly enrolled are notified."""
    if not departments:
        raise TrainingError(_("Choose at least one department."))
    query = (
        select(Employee)
        .join(Employee.department)
        .where(
            Employee.status == EmployeeStatus.ACTIVE,
            or_(*(Department.path.startswith(d.path) for d in departments)),
        )
    )
    if positions:
        query = query.where(Employee.position_id.in_([p.id for p in positions]))
    existing = {e.employee_id: e for e in session.enrolments}
    created = []
    for employee in db.session.scalars(query):
        enrolment = existing.get(employee.id)
        if enrolment is not None:
            if enrolment.status != EnrolmentStatus.ENROLLED:
                enrolment.status = EnrolmentStatus.ENROLLED
                enrolment.assigned = True
                enrolment.requested_at = now  # enrolled again: told again (training.notices)
                created.append(enrolment)
            continue
        enrolment = Enrolment(session=session, employee=employee, assigned=True, requested_at=now)
        db.session.add(enrolment)
        created.append(enrolment)
    db.session.flush()
    notices.enrolments_confirmed(created, now=now)
    return created


def _fmt(value: dt.datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def walk_ins_open(session: TrainingSession, *, now: dt.datetime) -> bool:
    """On-the-spot registration: the session has started, not ended, takes walk-ins and has a free seat."""
    return (
        session.walk_ins
        and session.status == SessionStatus.SCHEDULED
        and session.starts_at <= now < session.ends_at
        and enrolled_count(session) < session.capacity
    )


def who_can_add(session: TrainingSession) -> str:
    """Whom to ask for a place once the session has started."""
    if session.trainer is not None:
        return _("Ask the trainer, %(name)s, to add you to the list.", name=session.trainer.name)
    return _(
        "Ask the training administrator of %(unit)s to add you to the list.", unit=session.department.name
    )


def _walk_in(session: TrainingSession, employee: Employee, *, now: dt.datetime) -> Enrolment:
    enrolment = enrolment_of(session, employee)
    if enrolment is None:
        enrolment = Enrolment(session=session, employee=employee, requested_at=now)
        db.session.add(enrolment)
    enrolment.status, enrolment.requested_at, enrolment.assigned = EnrolmentStatus.ENROLLED, now, False
    db.session.flush()
    return enrolment


def self_enrol(session: TrainingSession, employee: Employee, *, now: dt.datetime) -> Enrolment:
    """An employee enrols: enrolled while seats remain, else put on the waiting list. Once the session
    has started, only as a walk-in (``walk_ins_open``); otherwise the answer says whom to ask."""
    enrolment = enrolment_of(session, employee)
    if session.starts_at <= now and session.status == SessionStatus.SCHEDULED:
        if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
            raise TrainingError(_("You are already on this session's list."), status=409)
        if walk_ins_open(session, now=now):
            return _walk_in(session, employee, now=now)
        raise TrainingError(_("This session has already started.") + " " + who_can_add(session))
    if not session.self_enrolment or session.status != SessionStatus.SCHEDULED:
        raise TrainingError(_("This session is not open for enrolment."))
    if enrolment is not None and enrolment.status != EnrolmentStatus.WITHDRAWN:
        raise TrainingError(_("You are already on this session's list."), status=409)
    full = enrolled_count(session) >= session.capacity
    status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
    if enrolment is None:
        enrolment = Enrolment(session=session, employee=employee, status=status, requested_at=now)
        db.session.add(enrolment)
    else:
        enrolment.status, enrolment.requested_at, enrolment.assigned = status, now, False
    db.session.flush()
    notices.enrolments_confirmed([enrolment], now=now)
    return enrolment


def withdraw(enrolment: Enrolment, *, now: dt.datetime) -> Enrolment | None:
    """Leave a session; the first on the waiting list takes the seat (and is told). Returns them."""
    if enrolment.attended_at is not None:
        raise TrainingError(_("You attended this session and can no longer withdraw."))
    was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db.session.flush()
    session = enrolment.session
    if not was_enrolled or enrolled_count(session) >= session.capacity:
        return None
    promoted = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.requested_at, Enrolment.id)
        .limit(1)
    )
    if promoted is None:
        return None
    promoted.status = EnrolmentStatus.ENROLLED
    db.session.flush()
    notices.moved_up(promoted, now=now)
    return promoted


# ---------------------------------------------------------------- attendance

ATTENDANCE_RULE = _l(
    "Check-in opens %(before)d minutes before the start and closes %(after)d minutes after it; later "
    "arrivals are marked late. Hours are credited after the session ends, once attendance is confirmed by "
    "checking out (scan the code again) or by the trainer: in proportion to the time present, rounded down "
    "to the half hour. With at least 80%% of the time present the course counts as completed, with its "
    "certificate and points."
)


def checkin_window(session: TrainingSession) -> tuple[dt.datetime, dt.datetime]:
    """When the QR check-in is open: around the start."""
    before, after = checkin_minutes()
    return session.starts_at - dt.timedelta(minutes=before), session.starts_at + dt.timedelta(minutes=after)


def checkin_minutes() -> tuple[int, int]:
    """(minutes before the start, minutes after it) during which the QR check-in is open."""
    config = current_app.config
    return int(config.get("TRAINING_CHECKIN_OPEN_BEFORE", 30)), int(
        config.get("TRAINING_CHECKIN_CLOSE_AFTER", 15)
    )


def attendance_rule() -> str:
    before, after = checkin_minutes()
    return str(ATTENDANCE_RULE) % {"before": before, "after": after}


def checkin_token_valid(session: TrainingSession, token: str) -> bool:
    """Whether ``token`` is the session's QR check-in code."""
    return bool(token) and secrets.compare_digest(token.encode(), session.checkin_token.encode())


def check_in_by_qr(
    session: TrainingSession, token: str, employee: Employee, *, now: dt.datetime
) -> Enrolment:
    """签到 by scanning the session's QR code (only an enrolled employee, inside the window); a second
    scan after checking in is the check-out (签退), which confirms the attendance once the session ended."""
    if not checkin_token_valid(session, token):
        raise TrainingError(_("This check-in code is not valid."))
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError(_("This session was cancelled."))
    enrolment = enrolment_of(session, employee)
    if enrolment is not None and enrolment.attended_at is not None:
        return _check_out(enrolment, now=now)
    opens, closes = checkin_window(session)
    if now < opens:
        raise TrainingError(_("Check-in opens at %(when)s.", when=_fmt(opens)))
    if now > closes:
        raise TrainingError(_("Check-in closed at %(when)s.", when=_fmt(closes)))
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        if not walk_ins_open(session, now=now):
            raise TrainingError(
                _("You are not enrolled in this session, so you cannot check in.")
                + " "
                + who_can_add(session)
            )
        enrolment = _walk_in(session, employee, now=now)
    enrolment.attended_at = now
    enrolment.checkin_method = "qr"
    enrolment.late = now > session.starts_at
    db.session.flush()
    return enrolment


def _check_out(enrolment: Enrolment, *, now: dt.datetime) -> Enrolment:
    session = enrolment.session
    if enrolment.checked_out_at is not None or enrolment.confirmed_at is not None:
        return enrolment
    if now < enrolment.attended_at + dt.timedelta(minutes=5):
        raise TrainingError(_("You have just checked in. Scan again when you leave to check out."))
    enrolment.checked_out_at = min(now, session.ends_at) if now >= session.starts_at else session.starts_at
    db.session.flush()
    if now >= session.ends_at:
        confirm_enrolments([enrolment], now=now)
    return enrolment


def record_attendance(session: TrainingSession, present_ids: set[int], *, now: dt.datetime) -> int:
    """The trainer's check-in list: mark who was present (enrolled only); returns how many attended.
    Nothing is credited until the attendance is confirmed after the end (``confirm_attendance``)."""
    for enrolment in session.enrolments:
        if enrolment.status != EnrolmentStatus.ENROLLED or enrolment.confirmed_at is not None:
            continue
        if enrolment.id in present_ids and enrolment.attended_at is None:
            enrolment.attended_at = min(now, session.starts_at)  # the trainer vouches for all of it
            enrolment.checkin_method = "trainer"
        elif enrolment.id not in present_ids and enrolment.attended_at is not None:
            enrolment.attended_at = None
            enrolment.checkin_method = None
            enrolment.checked_out_at = None
            enrolment.late = False
    db.session.flush()
    return sum(1 for e in session.enrolments if e.attended_at is not None)


def add_walk_in(session: TrainingSession, employee: Employee, *, now: dt.datetime) -> Enrolment:
    """The trainer adds someone who came without enrolling: on the list and present (beyond the
    capacity if need be, the trainer's call)."""
    if session.status != SessionStatus.SCHEDULED:
        raise TrainingError(_("Only a scheduled session can be changed."))
    enrolment = _walk_in(session, employee, now=now)
    enrolment.assigned = True
    if enrolment.attended_at is None:
        enrolment.attended_at = min(now, session.starts_at)
        enrolment.checkin_method = "trainer"
    db.session.flush()
    return enrolment


def attendance_state(enrolment: Enrolment) -> str:
    """Where an enrolment stands, as a key of ``training.labels.ATTENDANCE_LABELS``."""
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return enrolment.status
    if enrolment.completed_at is not None:
        return "completed"
    if enrolment.confirmed_at is not None:
        return "confirmed" if attendance_share(enrolment) >= FULL_ATTENDANCE else "partial"
    if enrolment.checked_out_at is not None:
        return "checked_out"
    if enrolment.attended_at is not None:
        return "late" if enrolment.late else "checked_in"
    return "enrolled"


def confirm_attendance(session: TrainingSession, *, now: dt.datetime) -> list[Enrolment]:
    """The trainer confirms the attendance list once the session has ended; returns those confirmed."""
    if now < session.ends_at:
        raise TrainingError(
            _(
                "Attendance can be confirmed once the session has ended (%(when)s).",
                when=_fmt(session.ends_at),
            )
        )
    attended = [e for e in session.enrolments if e.attended_at is not None and e.confirmed_at is None]
    confirm_enrolments(attended, now=now)
    return attended


def confirm_enrolments(
    enrolments: list[Enrolment], *, now: dt.datetime, certify: bool = True
) -> list[CourseCompletion]:
    """Confirm attended enrolments: partial attendance credits its hours; full attendance completes."""
    full = []
    for enrolment in enrolments:
        if enrolment.attended_at is None or enrolment.confirmed_at is not None:
            continue
        enrolment.confirmed_at = now
        if attendance_share(enrolment) >= FULL_ATTENDANCE:
            full.append(enrolment)
        else:
            credit_hours(
                enrolment.employee,
                hours_for(enrolment),
                source=HoursSource.COURSE,
                source_key=f"attendance:{enrolment.id}",
                earned_on=local_date(enrolment.session.ends_at),
                description=enrolment.session.course.title,
            )
    db.session.flush()
    return complete_if_due(full, now=now, certify=certify)


def mark_delivered(session: TrainingSession, *, now: dt.datetime) -> None:
    """The session took place (its plan item counts it as delivered); only once it has ended."""
    if now < session.ends_at:
        raise TrainingError(
            _(
                "Attendance can be confirmed once the session has ended (%(when)s).",
                when=_fmt(session.ends_at),
            )
        )
    session.status = SessionStatus.DELIVERED
    session.delivered_at = now
    db.session.flush()


# ---------------------------------------------------------------- calendar


def my_sessions(employee: Employee) -> list[tuple[TrainingSession, Enrolment]]:
    """The sessions the employee is enrolled in or waiting for, by start time."""
    rows = db.session.execute(
        select(TrainingSession, Enrolment)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .where(Enrolment.employee_id == employee.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(TrainingSession.starts_at.desc())
    ).all()
    return [(s, e) for s, e in rows]


def sessions_ics(employee: Employee, *, now: dt.datetime) -> bytes:
    """The employee's enrolled sessions as an iCalendar file (times in Asia/Shanghai)."""
    cal = Calendar()
    cal.add("prodid", "-//GridReady//Training//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "GridReady 培训")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for session, enrolment in my_sessions(employee):
        if enrolment.status != EnrolmentStatus.ENROLLED or session.status == SessionStatus.CANCELLED:
            continue
        event = Event()
        event.add("uid", f"training-session-{session.id}@gridready")
        event.add("summary", session.title)
        event.add("dtstart", session.starts_at.astimezone(LOCAL_TZ))
        event.add("dtend", session.ends_at.astimezone(LOCAL_TZ))
        event.add("dtstamp", now)
        if session.place:
            event.add("location", session.place)
        event.add("description", f"{session.course.title} · {session.course.hours} 学时")
        cal.add_component(event)
    return cal.to_ical()
