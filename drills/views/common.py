"""What every drills page shares: loading with access checks, and the words and colours templates use."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from accounts.labels import DEPARTMENT_KIND_LABELS
from accounts.models import Employee
from core.extensions import db
from drills import access, compliance, conduct
from drills.evaluation_models import CorrectiveAction, Element
from drills.forms import (
    ELEMENT_CHOICES,
    FORM_CHOICES,
    LEVEL_CHOICES,
    PURPOSE_CHOICES,
    ROLE_CHOICES,
    SCOPE_CHOICES,
)
from drills.labels import (
    ACTION_STATUS_LABELS,
    CONTENT_LABELS,
    FINDING_KIND_LABELS,
    INCIDENT_LABELS,
    METHOD_LABELS,
    PUNCTUALITY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    TEAM_ROLE_LABELS,
    TIER_LABELS,
    phase_label,
    rating_text,
)
from drills.models import Drill, Tier
from drills.views import bp

TIER_CLASSES = {Tier.EXCELLENT: "success", Tier.GOOD: "primary", Tier.PASS: "info", Tier.FAIL: "danger"}
STATE_CLASSES = {
    "green": "success",
    "amber": "warning",
    "amber_escalated": "warning",
    "red": "danger",
    "open": "light",
    "future": "light",
}


def labels() -> dict:
    """The label and colour maps the drills templates read as ``drill_labels()``."""
    return {
        "incident": INCIDENT_LABELS,
        "status": STATUS_LABELS,
        "phase": phase_label,
        "content": CONTENT_LABELS,
        "form": dict(FORM_CHOICES),
        "scope": dict(SCOPE_CHOICES),
        "purpose": dict(PURPOSE_CHOICES),
        "level": {int(k): v for k, v in LEVEL_CHOICES},
        "role": dict(ROLE_CHOICES),
        "unit_kind": DEPARTMENT_KIND_LABELS,
        "tier": TIER_LABELS,
        "tier_class": TIER_CLASSES,
        "severity": SEVERITY_LABELS,
        "element": dict(ELEMENT_CHOICES),
        "action_status": ACTION_STATUS_LABELS,
        "state_class": STATE_CLASSES,
        "finding_kind": FINDING_KIND_LABELS,
        "method": METHOD_LABELS,
        "element_plan": Element.PLAN,
        "step": STEP_LABELS,
        "punctuality": PUNCTUALITY_LABELS,
        "team_role": TEAM_ROLE_LABELS,
    }


@bp.app_context_processor
def inject_labels():
    return {
        "drill_labels": labels,
        "drill_rule": compliance.rule_name,
        "drill_rating": rating_text,
        "drill_rules": compliance.rule_names,
        "drill_punctuality": conduct.punctuality,
        "drill_deviation": conduct.deviation_minutes,
    }


def load_drill(drill_id: int) -> Drill:
    """The drill, or 404 when it does not exist or the user may not see it."""
    drill = db.session.get(Drill, drill_id)
    if drill is None or not access.can_view(current_user, drill):
        abort(404)
    return drill


def load_managed(drill_id: int) -> Drill:
    """The drill for a trainer (in scope) or admin; others who may see it get 403, the rest 404."""
    drill = load_drill(drill_id)
    if not access.can_manage(current_user, drill):
        abort(403)
    return drill


def load_action(action_id: int) -> CorrectiveAction:
    """The corrective action for its owner or someone who may see its drill, else 404."""
    action = db.session.get(CorrectiveAction, action_id)
    if action is None:
        abort(404)
    drill = action.finding.drill
    if action.owner_id != current_user.employee_id and not access.can_view(current_user, drill):
        abort(404)
    return action


def employee_by_no(number: str) -> Employee | None:
    """The employee with this employee number (case and spaces ignored), or None."""
    return db.session.scalar(select(Employee).where(Employee.employee_no == (number or "").strip().upper()))
