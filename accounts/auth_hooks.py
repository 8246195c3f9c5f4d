"""How the signed-in user is found on each request, and the forced password change that holds them until
they choose their own password."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from accounts.models import User
from core.extensions import db

# Endpoints a user who must change their password may still reach.
OPEN_DURING_FORCED_CHANGE = {
    "accounts.change_password",
    "accounts.logout",
    "static",
    "bootstrap.static",
    "core.set_language",
    "core.healthz",
}


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the account whose current session token is ``token``."""
    # Runs on every signed-in request. Role grants load on first use (role checks, the navigation):
    # JSON endpoints that only need the user's identity, such as the exam autosave, skip that query.
    return db.session.scalar(select(User).where(User.session_token == token).options(lazyload(User.grants)))


def force_password_change():
    """Before each request: a user who must change their password is sent to that page first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_DURING_FORCED_CHANGE
    ):
        return redirect(url_for("accounts.change_password"))
    return None
