"""Per-connection database settings, and when a pooled connection is checked before use."""

from __future__ import annotations

import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_installed = False


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; busy_timeout makes a writer wait instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def install_sqlite_pragmas() -> None:
    """Switch on WAL, busy_timeout and foreign keys for every SQLite connection."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _sqlite_on_connect)
        _installed = True


def install_idle_ping(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle for ``idle_seconds`` or longer.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one round trip more on every request, about a
    sixth of an answer save's database work. A connection that was just used is alive unless the server
    restarted in the last moments; then the request meets the dead connection, SQLAlchemy invalidates the
    whole pool, and the request answers 503 with ``Retry-After`` (core/errors.py), which the exam page
    retries: no confirmed answer is lost, and the next request gets a fresh connection. A connection left
    idle (overnight, after a quiet spell, behind a firewall that drops idle sockets) is pinged first and
    replaced silently when dead, as ``pool_pre_ping`` did. ``idle_seconds`` 0 pings on every checkout.
    """
    pool = engine.pool
    dialect = engine.dialect

    def _connected(_dbapi_connection, record) -> None:
        record.info["gridready_idle_since"] = time.monotonic()

    def _checkin(_dbapi_connection, record) -> None:
        record.info["gridready_idle_since"] = time.monotonic()

    def _checkout(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("gridready_idle_since")
        if since is not None and time.monotonic() - since < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 — any failure means the connection is unusable
            raise DisconnectionError("idle connection failed its ping") from exc
        if alive is False:
            raise DisconnectionError("idle connection failed its ping")

    event.listen(pool, "connect", _connected)
    event.listen(pool, "checkin", _checkin)
    event.listen(pool, "checkout", _checkout)
