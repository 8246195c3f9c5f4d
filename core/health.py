"""What ``GET /healthz`` reports to the load balancer and the operator (docs/operations.md).

``status`` is ``ok``, ``degraded`` (the site serves users, something behind it needs attention: Redis, the
worker, kept queue work, disk space) or ``down`` (the database does not answer: nothing can be served; HTTP
503 so the load balancer stops sending users). Only states and numbers: no addresses, secrets or people.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import suppress

import redis
from flask import current_app
from sqlalchemy import text

from core.extensions import db
from core.queue import last_heartbeat, pending_count, queue_depth

# The worker writes its heartbeat every minute; three missed beats mean it is gone.
HEARTBEAT_STALE_SECONDS = 180
# Below this much free space in the instance folder (uploads, certificates, the SQLite queue) say so.
MIN_FREE_MB = int(os.environ.get("HEALTH_MIN_FREE_MB", "500"))


def _database() -> dict:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure to answer is "down"
        return {"status": "down"}
    return {"status": "ok"}


def _redis() -> dict | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return {"status": "degraded", "note": "unreachable: limits per process, queue work kept"}
    return {"status": "ok"}


def _queue() -> dict:
    kept = None
    with suppress(Exception):  # the database check reports a database that does not answer
        kept = pending_count()
    try:
        depth = queue_depth()
    except Exception:  # noqa: BLE001 — queue storage unreachable
        return {"status": "degraded", "depth": None, "kept": kept}
    return {"status": "degraded" if kept else "ok", "depth": depth, "kept": kept}


def _worker() -> dict | None:
    if current_app.config.get("TASK_QUEUE") == "immediate":
        return None  # tasks run inside the request: there is no worker to watch
    try:
        beat = last_heartbeat()
    except Exception:  # noqa: BLE001 — queue storage unreachable
        beat = None
    age = None if beat is None else int(time.time() - beat)
    stale = age is None or age > HEARTBEAT_STALE_SECONDS
    return {"status": "degraded" if stale else "ok", "heartbeat_age_seconds": age}


def _disk() -> dict:
    folder = current_app.config["INSTANCE_DIR"]
    free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    writable = os.access(folder, os.W_OK)
    status = "ok" if writable and free_mb >= MIN_FREE_MB else "degraded"
    return {"status": status, "free_mb": free_mb, "writable": writable}


def health_report() -> tuple[dict, int]:
    """Each part's state and the overall one, with the HTTP status the load balancer acts on."""
    checks = {
        "database": _database(),
        "redis": _redis(),
        "queue": _queue(),
        "worker": _worker(),
        "disk": _disk(),
    }
    checks = {name: check for name, check in checks.items() if check is not None}
    states = {check["status"] for check in checks.values()}
    if checks["database"]["status"] == "down":
        overall, code = "down", 503
    elif states - {"ok"}:
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return {"status": overall, "checks": checks}, code
