"""One transaction per request, owned here (compare Indico's ``RH.process``).

Views load, check, call services and answer; they never commit or roll back. When the view's response is a
success (status below 400) the request's transaction is committed once, before the response leaves, so
nothing half-done is reported as saved: a commit that fails because the database went away (or its disk
is full) answers what ``core.errors`` answers such an error (503 with Retry-After, 507), any other failing
commit 500. Any other response, an exception or a refused ``DomainError`` (see ``core.errors``) leaves the
transaction uncommitted; it is rolled back. A view that refuses with an error status yet must keep what it
recorded on the way (a failed sign-in's counter, an attempt auto-submitted when its time ran out) says so
with ``keep_changes()``.

Background jobs and CLI commands are not requests: they commit their own work.
"""

from __future__ import annotations

from contextlib import suppress

from flask import current_app, g
from sqlalchemy.exc import DBAPIError

from core.extensions import db

# headers every answer of the site carries (core.errors sets them); an answer replaced here keeps them
_KEPT_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")


def keep_changes() -> None:
    """Commit this request's changes even though its answer is an error status."""
    g.keep_changes = True


def finish_request(response):
    """Commit the request's transaction when the answer is a success (or ``keep_changes`` was called)."""
    if not db.session.registry.has():  # the request never touched the database (static files)
        return response
    if response.status_code < 400 or g.pop("keep_changes", False):
        if db.session().in_transaction():
            try:
                db.session.commit()
            except DBAPIError as exc:
                return _answer_failed_commit(exc, response)
    else:
        db.session.rollback()
    return response


def _answer_failed_commit(exc: DBAPIError, response):
    """The commit itself met the database going away (or its disk filling): nothing was saved, so the
    success the view prepared must not leave. The answer is what the error handlers of ``core.errors``
    give such an error (503 + Retry-After, 507), never a 500 from inside Flask's response handling."""
    with suppress(DBAPIError):
        db.session.rollback()
    replaced = current_app.make_response(current_app.handle_user_exception(exc))
    for name in _KEPT_HEADERS:
        if name in response.headers and name not in replaced.headers:
            replaced.headers[name] = response.headers[name]
    return replaced


def init_app(app) -> None:
    # Registered before every other after_request function, so it runs last (Flask calls them in reverse):
    # the security headers and any package's hooks see the request's objects before they are expired.
    app.after_request_funcs.setdefault(None, []).insert(0, finish_request)
