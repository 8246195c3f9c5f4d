"""Bulk certificate issue as background jobs (``core.jobs``), with progress on ``/jobs/<id>``.

- ``session_completion_job``: after a session is marked delivered, complete every attended enrolment
  that is due (hours, qualifications) and issue the completion certificates, in chunks.
- ``certificates_job``: issue a list of certificates described by plain values (what the exams package
  sends for every passer of an exam: ``[{"kind", "employee_id", "title", "number", "issued_on",
  "expires_on", "issuer", "source_key", "extra"}]``, dates as ISO strings). Idempotent per source key.

- ``session_reminders`` (every hour at :05): the reminder the day before a session
  (``training.notices.send_session_reminders``), each person once per session and start time.
- ``certificate_reminders`` (every day at 08:10 Asia/Shanghai): the 90 / 30 / 0-day renewal reminders
  (``qualifications.run_reminders``, also ``flask training reminders``), each record and window once.

Each chunk is laid out in one WeasyPrint pass (``training.certificates.issue_certificates``); the job
commits once at the end (``core.queue.app_task``), so a failure leaves nothing half-issued.
"""

from __future__ import annotations

import datetime as dt

from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import Employee
from core.extensions import db
from core.i18n import gettext as _
from core.jobs import job_task, start_job
from core.models import utcnow
from core.queue import app_periodic_task
from core.timeutil import local_date
from training import notices
from training.certificates import BULK_CHUNK, CertificateSpec, issue_certificates
from training.course_sessions import confirm_enrolments
from training.models import Enrolment, TrainingSession
from training.qualifications import run_reminders


def _now(value: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if value else dt.datetime.now(dt.UTC)


@job_task()
def session_completion_job(job, report, *, session_id: int, now: str | None = None):
    """The trainer confirmed the attendance of a delivered session: credit, complete and certify everyone
    who attended (``confirm_enrolments``)."""
    moment = _now(now)
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise ValueError(_("The session no longer exists."))
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.attended_at.is_not(None))
        .options(selectinload(Enrolment.employee))
        .order_by(Enrolment.id)
    ).all()
    total, completed = len(enrolments), 0
    report(0, total, _("Issuing certificates"))
    for start in range(0, total, BULK_CHUNK):
        completed += len(confirm_enrolments(enrolments[start : start + BULK_CHUNK], now=moment))
        report(min(start + BULK_CHUNK, total), total, _("Issuing certificates"))
    job.result_link = f"/training/sessions/{session.id}"
    return {"attended": total, "completed": completed}


def spec_values(spec: CertificateSpec) -> dict:
    """A certificate spec as plain values a job can carry."""
    return {
        "kind": spec.kind,
        "employee_id": spec.employee.id,
        "title": spec.title,
        "number": spec.number,
        "issued_on": spec.issued_on.isoformat(),
        "expires_on": spec.expires_on.isoformat() if spec.expires_on else None,
        "issuer": spec.issuer,
        "source_key": spec.source_key,
        "extra": spec.extra,
    }


@job_task()
def certificates_job(
    job, report, *, specs: list[dict], now: str | None = None, result_link: str | None = None
):
    """Issue many certificates (e.g. every passer of an exam) with progress."""
    moment = _now(now)
    ids = {s["employee_id"] for s in specs}
    employees = {e.id: e for e in db.session.scalars(select(Employee).where(Employee.id.in_(ids)))}
    total, issued = len(specs), 0
    report(0, total, _("Issuing certificates"))
    for start in range(0, total, BULK_CHUNK):
        chunk = [
            CertificateSpec(
                kind=s["kind"],
                employee=employees[s["employee_id"]],
                title=s["title"],
                number=s["number"],
                issued_on=dt.date.fromisoformat(s["issued_on"]),
                expires_on=dt.date.fromisoformat(s["expires_on"]) if s.get("expires_on") else None,
                issuer=s["issuer"],
                source_key=s["source_key"],
                extra=s.get("extra"),
            )
            for s in specs[start : start + BULK_CHUNK]
        ]
        issued += len(issue_certificates(chunk, now=moment))
        report(min(start + BULK_CHUNK, total), total, _("Issuing certificates"))
    job.result_link = result_link
    return {"certificates": issued}


def start_certificates_job(specs: list[CertificateSpec], *, user, now: dt.datetime, result_link=None):
    """Queue the bulk issue of ``specs`` (runs after the caller commits); returns the job."""
    return start_job(
        "training.certificates",
        certificates_job,
        user=user,
        specs=[spec_values(s) for s in specs],
        now=now.isoformat(),
        result_link=result_link,
    )


def start_session_completion_job(session: TrainingSession, *, user, now: dt.datetime):
    """Queue the completion and certificates of a delivered session (runs after the caller commits)."""
    return start_job(
        "training.session_completion",
        session_completion_job,
        user=user,
        session_id=session.id,
        now=now.isoformat(),
    )


@app_periodic_task(crontab(minute="5"))
def session_reminders() -> int:
    """Hourly: remind the people enrolled in a session that starts within a day (once each)."""
    return notices.send_session_reminders(utcnow())


@app_periodic_task(crontab(minute="10", hour="0"))  # the queue's clock is UTC: 08:10 in Shanghai
def certificate_reminders() -> int:
    """Daily: the certificate renewal reminders (once per record and window)."""
    now = utcnow()
    return sum(1 for due in run_reminders(local_date(now), now=now) if due.notified)
