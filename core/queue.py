"""The task queue (huey) for long-running work: SQLite storage by default, Redis when REDIS_URL is set.

Run a worker with ``make worker`` (``huey_consumer wsgi.huey``). With ``TASK_QUEUE=immediate`` tasks run
inline, which the test suite uses. Tasks decorated with ``app_task`` run inside an application context
with their own database session, and commit once at the end (rolling back on error).

**The queue may be down (Redis stopped) while the database is up.** Work is sent with ``enqueue(task, ...)``:
when the queue refuses it, the task's name and arguments are written to ``pending_tasks`` in a transaction of
their own and the request carries on. ``drain_pending`` sends them again, oldest first, each exactly once
(its row is deleted in the transaction that enqueues it); it runs after the next successful ``enqueue`` and
every minute in the worker. The worker also writes a heartbeat that ``/healthz`` reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import time
from collections.abc import Callable

from flask import current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.constants import EmptyData
from sqlalchemy import JSON, String, Text, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from core.config import INSTANCE_DIR
from core.extensions import db
from core.models import utcnow

log = logging.getLogger(__name__)


def _make_huey():
    kind = os.environ.get("TASK_QUEUE") or ("redis" if os.environ.get("REDIS_URL") else "sqlite")
    if kind == "immediate":
        return MemoryHuey("gridready", immediate=True)
    if kind == "redis":
        return RedisHuey("gridready", url=os.environ["REDIS_URL"])
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("gridready", filename=str(INSTANCE_DIR / "huey.db"))


huey = _make_huey()
_app = None
# Every app_task by its stable name, so work recorded in pending_tasks can be sent again.
_TASKS: dict[str, Callable] = {}
HEARTBEAT_KEY = "worker:heartbeat"


class PendingTask(db.Model):
    """Work the queue refused (it was unreachable), kept until ``drain_pending`` sends it again."""

    __tablename__ = "pending_tasks"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON)
    kwargs: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    error: Mapped[str] = mapped_column(Text, default="")


def bind_app(app) -> None:
    """Remember the application the worker runs tasks in; switch to inline mode when configured."""
    global _app
    _app = app
    if app.config.get("TASK_QUEUE") == "immediate":
        huey.immediate = True


def _task_app():
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        raise RuntimeError("no application bound to the task queue; import wsgi first")
    return _app


def app_task(**task_options) -> Callable:
    """Declare a huey task that runs in an app context with its own session and one commit."""

    def decorator(fn: Callable) -> Callable:
        @huey.task(**task_options)
        @functools.wraps(fn)
        def run(*args, **kwargs):
            return _in_app(fn, *args, **kwargs)

        _TASKS[task_name(fn)] = run
        return run

    return decorator


def periodic_app_task(schedule) -> Callable:
    """Declare a periodic huey task (``crontab``) that runs in an app context with its own session and
    one commit at the end, like ``app_task`` (the worker runs it; the body may commit along the way)."""

    def decorator(fn: Callable) -> Callable:
        @huey.periodic_task(schedule, name=task_name(fn))
        @functools.wraps(fn)
        def run():
            return _in_app(fn)

        return run

    return decorator


def _in_app(fn: Callable, *args, **kwargs):
    """Run ``fn`` in an app context with its own session: commit once at the end, roll back on error."""
    with _task_app().app_context():
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def task_name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def enqueue(task: Callable, *args, **kwargs) -> bool:
    """Send ``task`` to the queue; when the queue is unreachable, keep it in ``pending_tasks`` instead.

    Returns True when the queue took it. Never raises for a queue failure: what the user did is committed.
    """
    name = next((n for n, t in _TASKS.items() if t is task), None)
    try:
        task(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 — any storage failure (Redis down, SQLite locked) means "later"
        if name is None:
            raise
        _keep(name, args, kwargs, exc)
        return False
    if name is not None and _has_pending():
        drain_pending()
    return True


def _keep(name: str, args: tuple, kwargs: dict, exc: Exception) -> None:
    first = not _has_pending()
    with db.engine.begin() as conn:
        values = {"task": name, "args": list(args), "kwargs": kwargs, "created_at": utcnow()}
        conn.execute(insert(PendingTask).values(**values, error=str(exc)[:2000]))
    if first:
        log.warning("task queue unreachable (%s); keeping work in pending_tasks until it is back", exc)


def _has_pending() -> bool:
    with db.engine.connect() as conn:
        return conn.execute(select(PendingTask.id).limit(1)).first() is not None


def pending_count() -> int:
    """How many tasks wait in ``pending_tasks`` for the queue to come back."""
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(PendingTask)).scalar_one()


def drain_pending(limit: int = 500) -> int:
    """Send kept tasks to the queue, oldest first, each once; stop at the first refusal. Returns how many."""
    sent = 0
    with db.engine.connect() as conn:
        rows = conn.execute(select(PendingTask).order_by(PendingTask.id).limit(limit)).all()
    for row in rows:
        task = _TASKS.get(row.task)
        with db.engine.connect() as conn, conn.begin() as tx:
            # Deleting first makes a second drainer find nothing: the task is sent once.
            if conn.execute(delete(PendingTask).where(PendingTask.id == row.id)).rowcount != 1:
                continue
            if task is None:
                log.error("pending task %s is no longer known; dropped", row.task)
                continue
            try:
                task(*row.args, **row.kwargs)
            except Exception:  # noqa: BLE001 — still down: keep the row (rolled back) and stop
                tx.rollback()
                return sent
            sent += 1
    if sent:
        log.warning("task queue back; %d kept task(s) sent", sent)
    return sent


@huey.periodic_task(crontab(minute="*"))
def heartbeat_and_drain() -> None:
    """Every minute in the worker: say it is alive (``/healthz``) and send work kept while the queue was down."""
    huey.storage.put_data(HEARTBEAT_KEY, str(time.time()).encode())
    with _task_app().app_context():
        try:
            drain_pending()
        finally:
            db.session.remove()


def last_heartbeat() -> float | None:
    """When the worker last reported (seconds since the epoch), or None when it never did."""
    raw = huey.storage.peek_data(HEARTBEAT_KEY)
    if raw is EmptyData or raw is None:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def queue_depth() -> int:
    """Tasks waiting in the queue (not counting work kept in ``pending_tasks``)."""
    return huey.pending_count()


def put_progress(key: str, value: dict) -> None:
    """Store a job's progress in the queue's storage, outside the job's own database transaction."""
    huey.storage.put_data(f"progress:{key}", _encode(value))


def get_progress(key: str) -> dict | None:
    """Read a job's last reported progress (None when it reported none)."""
    raw = huey.storage.peek_data(f"progress:{key}")
    if raw is EmptyData or raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return None


def _encode(value: dict) -> bytes:
    return json.dumps(value).encode()
