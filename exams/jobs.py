"""Exam notices on the task queue: every minute the worker's periodic task queues ``send_exam_notices``,
which sends whatever is due (``exams.notices.send_due``: published, 24 h and 1 h reminders, results
released). Each notice has a key, so overlapping runs, retries and several workers send it once.
Without a worker, ``flask exams send-notices`` from cron does the same. Every hour the worker also flags
questions whose item statistics call for a fresh review (``exams.item_review``; ``flask exams flag-items``)."""

from __future__ import annotations

from huey import crontab

from core.models import utcnow
from core.queue import app_periodic_task, app_task, enqueue, huey
from exams import item_review, notices


@app_task(retries=2, retry_delay=30)
def send_exam_notices() -> dict:
    """Task: send the exam notices due now (one transaction, committed by ``app_task``)."""
    return notices.send_due(utcnow())


@huey.periodic_task(crontab(minute="*"))
def exam_notices_every_minute() -> None:
    """Every minute in the worker: queue the notices task (kept in pending_tasks if the queue refuses)."""
    enqueue(send_exam_notices)


@app_periodic_task(crontab(minute="35"))
def flag_weak_items_hourly() -> dict:
    """Every hour in the worker: flag approved questions with weak item statistics for a fresh review."""
    return {"flagged": len(item_review.flag_weak_items(utcnow()))}
