"""Roles and the coarse access decorators. Object checks (own records, department scope) live in services.

Every view declares its access with exactly one of ``public``, ``login_required`` or ``role_required``;
a test walks the URL map and fails on a view that declares none.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, current_app, request, session
from flask_login import current_user
from flask_login import login_required as _flask_login_required

from core.extensions import login_manager
from core.i18n import lazy_gettext as _l


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"


# "Staff" in GridReady means everyone who works on others' records: trainers, HR and administrators (as
# against employees, who see their own). Each package names narrower role sets after what they allow.
STAFF_ROLES = (Role.TRAINER, Role.HR, Role.ADMIN)

ROLE_LABELS = {
    Role.EMPLOYEE: _l("Employee"),
    Role.TRAINER: _l("Trainer"),
    Role.HR: _l("HR"),
    Role.ADMIN: _l("Administrator"),
}


def _mark(view: Callable, access: str, roles: tuple[str, ...] = ()) -> Callable:
    view.access = access  # type: ignore[attr-defined]
    view.access_roles = roles  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, signed in or not (login page, certificate verification)."""
    return _mark(view, "public")


def login_required(view: Callable) -> Callable:
    """Any signed-in user; object checks in the service decide what they may see."""
    return _mark(_flask_login_required(view), "login")


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed-in users holding at least one of ``roles``; others get 403 (anonymous users go to login)."""
    wanted = tuple(str(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, "roles", wanted)

    return decorator


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.needs_refresh_message = _l("Please sign in again to continue.")
    app.after_request(_no_store_for_signed_in)


def _no_store_for_signed_in(response):
    """A page shown to a signed-in user is never kept by the browser, so Back after signing out shows
    nothing private from its cache. Public views (sign-in, certificate verification) and static files
    keep their own caching."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return response
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "access", None) == "public":
        return response
    if _signed_in_without_a_query():
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in_without_a_query() -> bool:
    """Whether the request carries a signed-in session, decided from the session cookie alone: the answer
    may be the 503 of a database outage, where asking ``current_user`` (even a loaded one, whose expired
    attributes reload) would query the database again and turn the 503 into a 500. A session whose account
    has meanwhile been disabled still gets ``no-store``, which keeps more private, not less."""
    return "_user_id" in session
