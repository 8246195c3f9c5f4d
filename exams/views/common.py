"""What the exams pages share: the role sets and the loaders, each answering 404 for an object the user may
not know exists."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from accounts.services import departments_in_scope
from core.auth import Role
from core.extensions import db
from core.forms import choices
from core.i18n import gettext as _
from exams import integrity, runtime, services
from exams.models import Exam, PaperBlueprint

MANAGERS = (Role.TRAINER, Role.ADMIN)
READERS = (Role.TRAINER, Role.HR, Role.ADMIN)


def visible_exam(exam_id: int) -> Exam:
    """An exam the signed-in employee may sit (published, and they are among its candidates)."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    runtime.check_can_sit(exam, current_user.employee)
    return exam


def managed_exam(exam_id: int, *, manage: bool = True) -> Exam:
    """An exam the user manages (``manage``) or may read the results of."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    allowed = (
        services.can_manage_exam(current_user, exam)
        if manage
        else services.can_view_results(current_user, exam)
    )
    if not allowed:
        abort(404)
    return exam


def managed_blueprint(blueprint_id: int) -> PaperBlueprint:
    """A paper blueprint the user owns."""
    blueprint = db.session.get(PaperBlueprint, blueprint_id)
    if blueprint is None or not services.can_manage_blueprint(current_user, blueprint):
        abort(404)
    return blueprint


def department_choices() -> list:
    """Owner departments the user may choose (and "whole company" unless scoped to a subtree)."""
    roots = current_user.scope_roots(Role.TRAINER)
    pairs = [] if roots and not current_user.has_any_role(Role.ADMIN) else [(0, _("Whole company"))]
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.TRAINER
    pairs += [(d.id, "　" * d.depth + d.name) for d in departments_in_scope(current_user, role)]
    return choices(pairs)


def invigilated_exam(exam_id: int) -> Exam:
    """An exam the user manages or is a named invigilator of (its monitor and its candidates)."""
    exam = db.session.get(Exam, exam_id)
    if exam is None or not services.can_invigilate(current_user, exam):
        abort(404)
    return exam


def gate_of_request(code: str) -> integrity.Gate:
    """What this request brings to a start: the access code typed, the client address (through the
    configured proxy hops, ``PROXY_FIX_HOPS``) and the browser's User-Agent (phone or computer)."""
    return integrity.Gate(
        code=code[:100], address=request.remote_addr, user_agent=request.headers.get("User-Agent", "")[:400]
    )
