"""What an employee is told about their training (issue 25 §4): enrolment confirmed, put on or moved up
from a waiting list, the reminder the day before a session, hours credited, a certificate issued. In the
inbox, and by e-mail where SMTP is configured and the person has not chosen the inbox only
(``core.notice_settings``). Certificates expiring are told by ``qualifications.run_reminders``.

Each notice carries a ``key`` (``core.notifications.notify``), so a person gets it once however often the
code that sends it runs (a retried job, the hourly reminder run twice, a replayed completion):
- enrolment: the enrolment and the moment it was requested (a person who withdraws and enrols again is
  told again);
- reminder: the session and its start time (a session moved to another day is reminded again);
- hours: the ledger line; certificate: the certificate (a reissue is a new certificate).

Decision: the reminder goes out once in the 24 hours before the start (the hourly job,
``training.jobs.session_reminders``); someone enrolling less than a day ahead gets it at the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.timeutil import LOCAL_TZ
from training.models import Enrolment, EnrolmentStatus, SessionStatus, TrainingSession

REMINDER_AHEAD = dt.timedelta(hours=24)
MY_TRAINING = "/training/"
MY_CERTIFICATES = "/training/my/qualifications"


def _fmt(value: dt.datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def users_of(employee_ids) -> list[User]:
    """The active user accounts of these employees."""
    ids = list(employee_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.employee_id.in_(ids), User.active.is_(True))))


def _session_link(session: TrainingSession) -> str:
    return f"/training/sessions/{session.id}"


def _enrolment_key(enrolment: Enrolment) -> str:
    return f"enrolment:{enrolment.id}:{enrolment.requested_at:%Y%m%dT%H%M%S}"


def _when_where(session: TrainingSession):
    if session.place:
        return _l("Starts %(when)s at %(place)s.", when=_fmt(session.starts_at), place=session.place)
    return _l("Starts %(when)s.", when=_fmt(session.starts_at))


def _enrolment_title(enrolment: Enrolment):
    title = enrolment.session.title
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return _l("You are on the waiting list of %(title)s", title=title)
    if enrolment.assigned:
        return _l("You are enrolled in the training session %(title)s", title=title)
    return _l("Enrolment confirmed: %(title)s", title=title)


def enrolments_confirmed(enrolments: list[Enrolment], *, now: dt.datetime) -> None:
    """Tell each person their place in a session is confirmed (or that they wait for one)."""
    for enrolment in enrolments:
        session = enrolment.session
        waiting = enrolment.status == EnrolmentStatus.WAITLISTED
        notify(
            users_of([enrolment.employee_id]),
            kind="training.waitlisted" if waiting else "training.enrolled",
            title=_enrolment_title(enrolment),
            body=_when_where(session),
            link=_session_link(session),
            now=now,
            key=_enrolment_key(enrolment),
        )


def moved_up(enrolment: Enrolment, *, now: dt.datetime) -> None:
    """Tell the person a seat became free and they are now enrolled."""
    session = enrolment.session
    notify(
        users_of([enrolment.employee_id]),
        kind="training.promoted",
        title=_l("A seat became free: you are enrolled in %(title)s", title=session.title),
        body=_when_where(session),
        link=_session_link(session),
        now=now,
        key=f"promoted:{_enrolment_key(enrolment)}",
    )


def send_session_reminders(now: dt.datetime) -> int:
    """Remind everyone enrolled in a scheduled session that starts within a day (once per person and
    start time); returns how many reminders went out."""
    sessions = db.session.scalars(
        select(TrainingSession).where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + REMINDER_AHEAD,
        )
    ).all()
    sent = 0
    for session in sessions:
        enrolled = [e.employee_id for e in session.enrolments if e.status == EnrolmentStatus.ENROLLED]
        sent += len(
            notify(
                users_of(enrolled),
                kind="training.session_reminder",
                title=_l("Training reminder: %(title)s", title=session.title),
                body=_when_where(session),
                link=_session_link(session),
                now=now,
                key=f"session:{session.id}:{session.starts_at:%Y%m%dT%H%M}",
            )
        )
    return sent


def hours_credited(entry, *, now: dt.datetime | None = None) -> None:
    """Tell the person about a new line in their 学时 ledger."""
    notify(
        users_of([entry.employee_id]),
        kind="training.hours",
        title=_l("%(hours)s training hours credited", hours=entry.hours),
        body=entry.description,
        link=MY_TRAINING,
        now=now,
        key=f"hours:{entry.id}",
    )


def certificates_issued(certificates, *, now: dt.datetime | None = None) -> None:
    """Tell each holder about their new certificate (one notice per certificate)."""
    users = {u.employee_id: u for u in users_of({c.employee_id for c in certificates})}
    for cert in certificates:
        user = users.get(cert.employee_id)
        if user is None:
            continue
        notify(
            [user],
            kind="training.certificate",
            title=_l("Certificate issued: %(title)s", title=cert.title),
            body=_l("Number %(number)s. You can download it as a PDF.", number=cert.number),
            link=MY_CERTIFICATES,
            now=now,
            key=f"certificate:{cert.id}",
        )
