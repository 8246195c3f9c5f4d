"""Exam notices on the task queue: every minute the worker's periodic task queues ``send_exam_notices``,
which sends whatever is due (``exams.notices.send_due``: published, 24 h and 1 h reminders, results
released). Each notice has a key, so overlapping runs, retries and several workers send it once.
Without a worker, ``flask exams send-notices`` from cron does the same."""

from __future__ import annotations

from huey import crontab

from core.models import utcnow
from core.queue import app_task, enqueue, huey
from exams import notices


@app_task(retries=2, retry_delay=30)
def send_exam_notices() -> dict:
    """Task: send the exam notices due now (one transaction, committed by ``app_task``)."""
    return notices.send_due(utcnow())


@huey.periodic_task(crontab(minute="*"))
def exam_notices_every_minute() -> None:
    """Every minute in the worker: queue the notices task (kept in pending_tasks if the queue refuses)."""
    enqueue(send_exam_notices)
