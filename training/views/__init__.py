"""The training pages: the ``training`` blueprint (under /training) with its routes split by concern, and
the ``verify`` blueprint for the public certificate check at /verify/<code> (printed QR codes point there:
its address never changes)."""

from __future__ import annotations

from flask import Blueprint

from core.auth import Role

bp = Blueprint("training", __name__, url_prefix="/training")
verify_bp = Blueprint("verify", __name__)

# Who may create and change courses, plans and sessions (HR views them, see core.auth.STAFF_ROLES).
MANAGERS = (Role.TRAINER, Role.ADMIN)

from training.views import authoring, course_sessions, employee, staff, verify  # noqa: E402, F401

__all__ = ["MANAGERS", "authoring", "bp", "course_sessions", "employee", "staff", "verify", "verify_bp"]
