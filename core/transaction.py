"""One transaction per request, owned here (compare Indico's ``RH.process``).

Views load, check, call services and answer; they never commit or roll back. When the view's response is a
success (status below 400) the request's transaction is committed once, before the response leaves, so a
failing commit still answers 500 and nothing half-done is reported as saved. Any other response, an
exception or a refused ``DomainError`` (see ``core.errors``) leaves the transaction uncommitted; it is rolled
back. A view that refuses with an error status yet must keep what it recorded on the way (a failed sign-in's
counter, an attempt auto-submitted when its time ran out) says so with ``keep_changes()``.

Background jobs and CLI commands are not requests: they commit their own work.
"""

from __future__ import annotations

from flask import g

from core.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even though its answer is an error status."""
    g.keep_changes = True


def finish_request(response):
    """Commit the request's transaction when the answer is a success (or ``keep_changes`` was called)."""
    if not db.session.registry.has():  # the request never touched the database (static files)
        return response
    if response.status_code < 400 or g.pop("keep_changes", False):
        if db.session().in_transaction():
            db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app) -> None:
    # Registered before every other after_request function, so it runs last (Flask calls them in reverse):
    # the security headers and any package's hooks see the request's objects before they are expired.
    app.after_request_funcs.setdefault(None, []).insert(0, finish_request)
