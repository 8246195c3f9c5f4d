"""Fixtures: ``app`` (one per run, schema built by the migrations), ``db`` (each test inside a transaction
that is rolled back), ``client``, ``login(role=..., scope=...)`` and ``smtp_server`` (a real SMTP server).

Set TEST_DATABASE_URL to run the suite on PostgreSQL; the database's tables are dropped and rebuilt.
Tests that need real commits across threads or processes use ``committed_db`` instead of ``db``.
"""

from __future__ import annotations

import os
import socket
import tempfile

os.environ.setdefault("TASK_QUEUE", "immediate")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
_TMP = tempfile.mkdtemp(prefix="gridready-test-")
os.environ.setdefault("GRIDREADY_INSTANCE", _TMP)

from email import message_from_bytes, policy  # noqa: E402

import pytest  # noqa: E402
import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from flask_sqlalchemy.session import Session as FSASession  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402

from core import config, create_app  # noqa: E402
from core.extensions import db as _db  # noqa: E402
from core.extensions import limiter  # noqa: E402
from tests import factories  # noqa: E402

# Rate-limit tests use their own Redis database, which they empty.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"


def is_postgres() -> bool:
    return database_url().startswith("postgresql")


def reset_schema(engine) -> None:
    """Drop every table (and Alembic's version table) so the migrations build the schema from empty."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    else:
        meta = sa.MetaData()
        meta.reflect(engine)
        raw = engine.raw_connection()  # foreign keys can be switched off only outside a transaction
        try:
            raw.execute("PRAGMA foreign_keys=OFF")
            for table in reversed(meta.sorted_tables):
                raw.execute(f'DROP TABLE "{table.name}"')
            raw.commit()
            raw.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()


TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    # Sign-in limits are lifted for the suite; the ``rate_limits`` fixture restores production values.
    "LOGIN_RATE_LIMIT_IP": "100000 per minute",
    "LOGIN_RATE_LIMIT_ACCOUNT": "100000 per minute",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 64,
    "SERVER_NAME": "localhost",
    "TASK_QUEUE": "immediate",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


class FreshContextClient(FlaskClient):
    """Each request runs in its own application context (fresh ``g`` and database session), as in
    production, even while the test itself holds an application context."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    url = database_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    application = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": _TMP,
            "UPLOAD_DIR": os.path.join(_TMP, "uploads"),
        }
    )
    application.test_client_class = FreshContextClient
    with application.app_context():
        reset_schema(_db.engine)
        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()  # close pooled connections before the interpreter does (ResourceWarning)


class _ConnectionSession(FSASession):
    """A session that always uses the test's one connection (inside its outer transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture
def db(app):
    """The database, with every change this test makes rolled back at its end."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # The sqlite3 module begins a transaction only before a write, so the savepoint a commit inside
            # the test releases would otherwise be a transaction of its own, committed to disk for good.
            connection.exec_driver_sql("BEGIN")
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "class_": _ConnectionSession, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            if outer.is_active:
                outer.rollback()
            connection.close()


@pytest.fixture
def committed_db(app):
    """The real database with real commits (threads, processes); every table is emptied afterwards."""
    with app.app_context():
        yield _db
        _db.session.remove()
        empty_tables()


def empty_tables() -> None:
    """Delete every row of every table (inside an application context), as after ``committed_db``."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        with _db.engine.begin() as conn:
            conn.execute(
                sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
    else:
        # SQLite checks RESTRICT keys row by row (a category's parent may go before its child): empty the
        # tables with foreign keys off, which SQLite accepts only outside a transaction.
        raw = _db.engine.raw_connection()
        try:
            raw.execute("PRAGMA foreign_keys=OFF")
            for table in tables:
                raw.execute(f'DELETE FROM "{table}"')
            raw.commit()
            raw.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()


@pytest.fixture
def locale_code(request) -> str | None:
    """The language a test runs in: ``@pytest.mark.locale("en")`` on a test, else what a directory's conftest
    overrides this fixture with, else None (the product's default, zh_CN, and no Accept-Language)."""
    marker = request.node.get_closest_marker("locale")
    return marker.args[0] if marker else None


@pytest.fixture(autouse=True)
def _locale(request, locale_code):
    """The one locale set-up: strings rendered outside a request (services, forms) use ``locale_code``;
    the test client asks for it as its browser language (see ``client``)."""
    if locale_code is None or not {"db", "committed_db"} & set(request.fixturenames):
        yield
        return
    # The database fixture pushes the application context the forced locale lives in.
    request.getfixturevalue("committed_db" if "committed_db" in request.fixturenames else "db")
    with force_locale(locale_code):
        yield


@pytest.fixture
def client(app, db, locale_code):
    test_client = app.test_client()
    if locale_code:
        test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale_code.replace("_", "-")
    return test_client


@pytest.fixture
def csrf_enabled(app):
    """CSRF protection on for one test (the suite runs with it off to keep form tests short). Ask for it
    after signing in when the test posts the sign-in form without a token:
    ``request.getfixturevalue("csrf_enabled")``, or use ``@pytest.mark.usefixtures("csrf_enabled")``."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _redis_reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def rate_limits(request, app):
    """The default sign-in limits, with empty counters, for one test; run once with the counters in memory
    and once in a real Redis (a database of its own, ``TEST_REDIS_URL``, emptied before and after), as
    every worker shares them in production."""
    if request.param == "redis":
        if not _redis_reachable(TEST_REDIS_URL):
            pytest.skip(
                f"Redis is not reachable at {TEST_REDIS_URL}: start redis-server to test shared limits"
            )
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
        uri = TEST_REDIS_URL
    else:
        uri = "memory://"
    saved = {k: app.config[k] for k in ("LOGIN_RATE_LIMIT_IP", "LOGIN_RATE_LIMIT_ACCOUNT")}
    app.config.update(
        LOGIN_RATE_LIMIT_IP=config.LOGIN_RATE_LIMIT_IP,
        LOGIN_RATE_LIMIT_ACCOUNT=config.LOGIN_RATE_LIMIT_ACCOUNT,
    )
    # Flask-Limiter has no public way to change the storage of an initialised app: swap its storage and
    # the strategy object built on it, and put the suite's back afterwards.
    saved_storage, saved_strategy = limiter._storage, limiter._limiter
    limiter._storage = storage_from_string(uri)
    limiter._limiter = type(saved_strategy)(limiter._storage)
    limiter.reset()
    try:
        yield limiter
    finally:
        limiter.reset()
        limiter._storage, limiter._limiter = saved_storage, saved_strategy
        app.config.update(saved)
        if request.param == "redis":
            redis.Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.fixture
def login(client, db):
    """``login(role="hr", scope=department)`` makes a user holding ``role`` and signs the client in."""

    def _login(role: str | None = None, scope=None, *, user=None, roles=None, department=None):
        if user is None:
            grants = list(roles or ([] if role in (None, "employee") else [role]))
            user = factories.user(grants=[(r, scope) for r in grants], department=department)
        db.session.flush()
        response = client.post(
            "/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


class _SMTPInbox:
    """aiosmtpd handler: keeps every message the server accepts, parsed."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free local port, with the app's SMTP settings pointing at it for
    one test; yields the list of messages it received (``email.message.EmailMessage``)."""
    inbox = _SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    keys = ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USER")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False, SMTP_USER=None)
    try:
        yield inbox.messages
    finally:
        controller.stop()
        app.config.update(saved)
