"""Friendly error pages, the one way a business rule refuses (``DomainError``) and the security headers every
response carries.

A service refuses by raising a ``DomainError`` subclass (each package keeps its own in ``errors.py``). The
handler here rolls the request's transaction back and answers: ``{"error": message}`` with the error's status
for JSON clients, the 404 page for a 404, otherwise the message flashed and a redirect back to the page the
user came from (``exc.redirect_to`` when the raiser knows a better one). A view that wants to show the message
beside a form field catches the error and re-renders with a 4xx status; ``core.transaction`` then rolls back.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError

from core.extensions import db
from core.forms import safe_next_url
from core.i18n import lazy_gettext as _l
from core.transaction import keep_changes


class DomainError(Exception):
    """A business rule refuses: ``message`` for the user (translated, may be lazy) and an HTTP ``status``.

    ``keeps_changes`` (class or instance) commits what the service recorded before refusing (an attempt
    auto-submitted on the way to "time is up"); ``payload`` adds keys to the JSON answer; ``redirect_to``
    is where a page goes after the flashed message.
    """

    status = 400
    keeps_changes = False

    def __init__(
        self,
        message="",
        *,
        status: int | None = None,
        payload: dict | None = None,
        redirect_to: str | None = None,
        keeps_changes: bool | None = None,
    ):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if keeps_changes is not None:
            self.keeps_changes = keeps_changes
        self.payload = payload or {}
        self.redirect_to = redirect_to

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist for this user (answered 404, never 403, so its existence is not revealed)."""

    status = 404


# Scripts, fonts, fetches and form posts only from this site; no plugins, no framing by others. Styles
# allow inline (the exam page's small <style> block and style attributes); images allow data: URIs
# (QR codes). Every page's JavaScript lives in static/ (no inline handlers: see static/js/app.js).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _page(code: int, template: str):
    if _wants_json():
        return jsonify({"error": code}), code
    return render_template(template), code


@contextmanager
def refusals_go_to(url: str):
    """Within the block, a ``DomainError`` that names no page of its own sends the user to ``url``."""
    try:
        yield
    except DomainError as exc:
        if exc.redirect_to is None:
            exc.redirect_to = url
        raise


def _back() -> str:
    """The page the user came from when it is on this site and not the failing page itself, else home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        target = safe_next_url(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if target and not (request.method == "GET" and target == request.full_path.rstrip("?")):
            return target
    return url_for("core.home")


def answer_domain_error(exc: DomainError):
    """Roll back (or keep, when the error says so) and answer the refusal in the client's terms."""
    if exc.keeps_changes:
        keep_changes()
    else:
        db.session.rollback()
    if exc.status == 404:
        return _page(404, "errors/404.html")
    if _wants_json():
        return jsonify({"error": str(exc), **exc.payload}), exc.status
    flash(str(exc), "danger")
    return redirect(exc.redirect_to or _back())


class StorageError(DomainError):
    """The instance folder (or the database's disk) could not take what was to be written (see core.storage)."""

    status = 507

    def __init__(self, message=None, **kwargs):
        super().__init__(message or STORAGE_FULL_MESSAGE, **kwargs)


STORAGE_FULL_MESSAGE = _l(
    "The server's storage is full or cannot be written to, so nothing was saved. "
    "Please tell the system administrator."
)


def is_storage_full(exc: BaseException) -> bool:
    """The database refused a write because its disk is full or read-only."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "53100":  # PostgreSQL: disk_full
        return True
    text = str(exc.orig).lower()
    return "database or disk is full" in text or "readonly database" in text


# Seconds a client is asked to wait when the database is unreachable: a PostgreSQL restart takes about 5 s.
RETRY_AFTER_SECONDS = 5
# What the 503 page says when even rendering it fails (the locale or template needs something that is down).
BUSY_FALLBACK = "系统繁忙，请稍后重试。"


def is_database_unavailable(exc: Exception) -> bool:
    """The database could not be reached or dropped the connection (a restart, a failover, a lock)."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def answer_database_unavailable(exc: DBAPIError):
    """503 with ``Retry-After`` for a database outage, never a stack trace; other database errors stay 500s.
    A database whose disk is full or read-only answers 507 instead: waiting does not help."""
    if is_storage_full(exc):
        current_app.logger.error("database storage full: %s", str(exc.orig or exc).splitlines()[0])
        return answer_domain_error(StorageError())
    if not is_database_unavailable(exc):
        raise exc
    current_app.logger.warning("database unavailable: %s", str(exc.orig or exc).splitlines()[0])
    with suppress(DBAPIError):
        db.session.rollback()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if _wants_json():
        return jsonify({"error": 503, "retry_after": RETRY_AFTER_SECONDS}), 503, headers
    try:
        # Straight from the Jinja environment: the context processors (the user, the inbox) need the database.
        page = current_app.jinja_env.get_template("errors/503.html").render(retry_after=RETRY_AFTER_SECONDS)
    except Exception:  # noqa: BLE001 — the page must answer whatever else is down
        page = BUSY_FALLBACK
    return page, 503, {**headers, "Content-Type": "text/html; charset=utf-8"}


def init_app(app) -> None:
    app.register_error_handler(DomainError, answer_domain_error)
    app.register_error_handler(DBAPIError, answer_database_unavailable)

    @app.errorhandler(403)
    def forbidden(_e):
        return _page(403, "errors/403.html")

    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, "errors/404.html")

    @app.errorhandler(413)
    def too_large(_e):
        return _page(413, "errors/413.html")

    @app.errorhandler(429)
    def too_many(_e):
        return _page(429, "errors/429.html")

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        if _wants_json():
            return jsonify({"error": 400, "reason": "csrf", "message": e.description}), 400
        return render_template("errors/400.html", reason=e.description), 400

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _page(500, "errors/500.html")

    @app.after_request
    def security_headers(response):
        # The app is never framed, never sniffed, and leaks no URLs to other sites.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            db.session.rollback()
