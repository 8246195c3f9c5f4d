"""Background jobs with progress a page can show (bulk certificates, large imports).

A job is a ``JobRun`` row plus a huey task. ``start_job`` creates the row and queues the task once the
request's transaction commits. The task reports progress through the queue's storage (outside its own
transaction, so the page sees it while the work is still uncommitted) and records its outcome on the row.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable

from flask import Blueprint, abort, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.auth import Role, login_required
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.models import utcnow
from core.queue import app_task, bind_app, enqueue, get_progress, put_progress


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __audit__ = False

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued/running/succeeded/failed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    result_link: Mapped[str | None] = mapped_column(String(500))


def job_task(**task_options) -> Callable:
    """Declare a job body ``fn(job, report, **params) -> dict``; ``report(done, total, message='')``."""

    def decorator(fn: Callable) -> Callable:
        @app_task(**task_options)
        @functools.wraps(fn)
        def run(job_id: str, **params):
            job = db.session.get(JobRun, job_id)
            if job is None:
                return None

            def report(done: int, total: int, message: str = "") -> None:
                put_progress(job_id, {"done": done, "total": total, "message": message})

            put_progress(job_id, {"done": 0, "total": 0, "message": "", "status": "running"})
            try:
                result = fn(job, report, **params) or {}
            except Exception as exc:  # noqa: BLE001 — recorded on the job row for the user to read
                db.session.rollback()
                job = db.session.get(JobRun, job_id)
                job.status = "failed"
                job.message = str(exc)[:4000]
                job.finished_at = utcnow()
                return None
            job.status = "succeeded"
            job.result = result
            job.finished_at = utcnow()
            return result

        return run

    return decorator


def start_job(kind: str, task: Callable, *, user, **params) -> JobRun:
    """Create a job row and queue ``task`` for it after the current transaction commits."""
    job = JobRun(id=uuid.uuid4().hex, kind=kind, status="queued", created_by_id=user.id)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault("jobs_after_commit", []).append((task, job.id, params))
    return job


@event.listens_for(Session, "after_commit")
def _enqueue(session: Session) -> None:
    for task, job_id, params in session.info.pop("jobs_after_commit", []):
        enqueue(task, job_id, **params)  # kept in pending_tasks when the queue is down


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("jobs_after_commit", None)


STATUS_LABELS = {
    "queued": _l("Waiting"),
    "running": _l("Running"),
    "succeeded": _l("Done"),
    "failed": _l("Failed"),
}


def register_kinds(app, kinds: dict[str, object]) -> None:
    """Tell the progress page what a package's job kinds are called (kind → label)."""
    app.extensions.setdefault("gridready_job_kinds", {}).update(kinds)


def kind_label(kind: str) -> str:
    label = current_app.extensions.get("gridready_job_kinds", {}).get(kind)
    return str(label) if label is not None else kind


def job_state(job: JobRun) -> dict:
    """What a progress page shows: status, done/total, message and, when finished, the result."""
    progress = get_progress(job.id) or {}
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_label": kind_label(job.kind),
        "status": job.status,
        "status_label": str(STATUS_LABELS.get(job.status, job.status)),
        "done": progress.get("done", 0),
        "total": progress.get("total", 0),
        "message": job.message or progress.get("message", ""),
        "result": job.result if job.status in {"succeeded", "failed"} else None,
        "result_link": job.result_link,
    }


bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _load_job(job_id: str) -> JobRun:
    job = db.session.get(JobRun, job_id)
    if job is None or (job.created_by_id != current_user.id and not current_user.has_any_role(Role.ADMIN)):
        abort(404)
    return job


@bp.get("/<job_id>")
@login_required
def show(job_id: str):
    job = _load_job(job_id)
    return render_template("core/job.html", job=job, state=job_state(job))


@bp.get("/<job_id>.json")
@login_required
def state(job_id: str):
    return jsonify(job_state(_load_job(job_id)))


def init_app(app) -> None:
    bind_app(app)
    app.register_blueprint(bp)
