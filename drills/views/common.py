"""The blueprint and what every drills page shares: loading with access checks, labels."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Employee
from core.extensions import db
from drills import services
from drills.compliance import CONTENT_LABELS, STATE_CLASSES
from drills.evaluation_models import CorrectiveAction, Element, FindingKind, Method
from drills.forms import (
    ELEMENT_CHOICES,
    FORM_CHOICES,
    LEVEL_CHOICES,
    PURPOSE_CHOICES,
    ROLE_CHOICES,
    SCOPE_CHOICES,
)
from drills.improvement import ACTION_STATUS_LABELS, SEVERITY_LABELS
from drills.models import INCIDENT_LABELS, Drill, Tier

bp = Blueprint("drills", __name__, url_prefix="/drills")

TIER_LABELS = {Tier.EXCELLENT: "优秀", Tier.GOOD: "良好", Tier.PASS: "合格", Tier.FAIL: "不合格"}
TIER_CLASSES = {Tier.EXCELLENT: "success", Tier.GOOD: "primary", Tier.PASS: "info", Tier.FAIL: "danger"}


def labels() -> dict:
    return {
        "incident": INCIDENT_LABELS,
        "status": services.STATUS_LABELS,
        "content": CONTENT_LABELS,
        "form": dict(FORM_CHOICES),
        "scope": dict(SCOPE_CHOICES),
        "purpose": dict(PURPOSE_CHOICES),
        "level": {int(k): v for k, v in LEVEL_CHOICES},
        "role": dict(ROLE_CHOICES),
        "tier": TIER_LABELS,
        "tier_class": TIER_CLASSES,
        "severity": SEVERITY_LABELS,
        "element": dict(ELEMENT_CHOICES),
        "action_status": ACTION_STATUS_LABELS,
        "state_class": STATE_CLASSES,
        "finding_kind": {
            FindingKind.STRENGTH: _l("Strength"),
            FindingKind.IMPROVEMENT: _l("Area for improvement"),
        },
        "method": {
            Method.OBSERVATION: _l("Observation"),
            Method.TIMING: _l("Timing"),
            Method.RECORDS: _l("Records review"),
            Method.INTERVIEW: _l("Interview"),
        },
        "element_plan": Element.PLAN,
    }


@bp.app_context_processor
def inject_labels():
    return {"drill_labels": labels}


def load_drill(drill_id: int) -> Drill:
    """The drill, or 404 when it does not exist or the user may not see it."""
    drill = db.session.get(Drill, drill_id)
    if drill is None or not services.can_view(current_user, drill):
        abort(404)
    return drill


def load_managed(drill_id: int) -> Drill:
    """The drill for a trainer (in scope) or admin; others who may see it get 403, the rest 404."""
    drill = load_drill(drill_id)
    if not services.can_manage(current_user, drill):
        abort(403)
    return drill


def load_action(action_id: int) -> CorrectiveAction:
    action = db.session.get(CorrectiveAction, action_id)
    if action is None:
        abort(404)
    drill = action.finding.drill
    if action.owner_id != current_user.employee_id and not services.can_view(current_user, drill):
        abort(404)
    return action


def employee_by_no(number: str) -> Employee | None:
    return db.session.scalar(select(Employee).where(Employee.employee_no == (number or "").strip().upper()))
