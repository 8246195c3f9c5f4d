"""Training on an employee's to-do list (``core.todo``): the sessions they are enrolled in or waiting for
that have not ended, and their certificates inside the 90-day renewal window or expired."""

from __future__ import annotations

import datetime as dt

from core.i18n import lazy_gettext as _l
from core.timeutil import local_date
from core.todo import TodoItem, start_of_day
from training.course_sessions import my_sessions
from training.expiry import STATUS_BADGES
from training.labels import STATUS_LABELS
from training.models import EnrolmentStatus, SessionStatus
from training.qualifications import employee_certificate_windows


def _session_status(session, enrolment, now: dt.datetime):
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return _l("On the waiting list"), "secondary"
    if session.starts_at <= now:
        return _l("In progress"), "warning"
    return _l("Enrolled, upcoming"), "info"


def session_items(user, now: dt.datetime) -> list[TodoItem]:
    """The sessions ``user`` is enrolled in or waiting for, not yet ended, by start."""
    items = []
    for session, enrolment in my_sessions(user.employee):
        if session.status != SessionStatus.SCHEDULED or session.ends_at <= now:
            continue
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
            continue
        status, tone = _session_status(session, enrolment, now)
        items.append(
            TodoItem(
                "training.sessions",
                session.starts_at,
                session.title,
                status,
                f"/training/sessions/{session.id}",
                _l("Open the session"),
                tone=tone,
                detail=session.place,
                when_label=_l("Starts"),
            )
        )
    return items


def certificate_items(user, now: dt.datetime) -> list[TodoItem]:
    """``user``'s certificates that expire within 90 days or have expired (to renew, 复审)."""
    items = []
    for window in employee_certificate_windows(user.employee, local_date(now)):
        record = window["record"]
        if window["window"] is None or record.expires_on is None:
            continue
        items.append(
            TodoItem(
                "training.certificates",
                start_of_day(record.expires_on),
                record.certificate_type.name,
                STATUS_LABELS[window["status"]],
                "/training/my/qualifications",
                _l("Arrange the renewal"),
                tone=STATUS_BADGES[window["status"]],
                timed=False,
                when_label=_l("Expires"),
            )
        )
    return items
