"""Background and periodic work of the reports package on the task queue."""

from __future__ import annotations

import datetime as dt

from huey import crontab

from core.jobs import job_task, start_job
from core.models import utcnow
from core.queue import app_periodic_task
from reports.assignment import run_all
from reports.schedule import send_again, send_due_reports


@app_periodic_task(crontab(minute="20"))
def scheduled_reports() -> dict[str, int]:
    """Every hour: send the reports of the period that has just ended that are not yet sent (once each)."""
    return send_due_reports(utcnow())


@app_periodic_task(crontab(hour="18", minute="30"))  # 02:30 in Shanghai
def nightly_assignment() -> dict[int, int]:
    """Every night: apply the enabled assignment rules (idempotent; see ``reports.assignment``)."""
    return run_all(utcnow())


@job_task()
def resend_job(job, report, *, delivery_id: int, now: str):
    """Send one delivery an admin asked to resend."""
    report(0, 1)
    sent = send_again(delivery_id, dt.datetime.fromisoformat(now))
    report(1, 1)
    job.result_link = "/reports/subscriptions/deliveries"
    return {"sent": sent}


def start_resend(delivery, *, user, now: dt.datetime):
    """Queue the resend of ``delivery`` (runs after the request commits)."""
    return start_job("reports.resend", resend_job, user=user, delivery_id=delivery.id, now=now.isoformat())
