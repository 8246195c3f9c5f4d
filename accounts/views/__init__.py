"""The pages of people and access, on three blueprints: ``accounts`` (sign-in, sign-out, password, /me),
``people`` (the staff directory and roster import, under /people) and ``admin`` (users and roles,
departments, positions, the audit log, under /admin)."""

from flask import Blueprint

accounts_bp = Blueprint("accounts", __name__)
people_bp = Blueprint("people", __name__, url_prefix="/people")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
BLUEPRINTS = (accounts_bp, people_bp, admin_bp)

# The view modules add their routes to the blueprints above, so they are imported once those exist.
from accounts.views import admin, auth, people  # noqa: E402, F401
