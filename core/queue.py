"""The task queue (huey) for long-running work: SQLite storage by default, Redis when REDIS_URL is set.

Run a worker with ``make worker`` (``huey_consumer wsgi.huey``). With ``TASK_QUEUE=immediate`` tasks run
inline, which the test suite uses. Tasks decorated with ``app_task`` run inside an application context
with their own database session, and commit once at the end (rolling back on error).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable

from flask import current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.constants import EmptyData

from core.config import INSTANCE_DIR
from core.extensions import db


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

        return run

    return decorator


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
