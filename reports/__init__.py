"""Reports for HR, the top floor of the house: personal assessment sheets, the unit readiness dashboard,
service indicators, scheduled reports. It reads every package's records; no package imports it."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from core import audit
from core.auth import Role
from core.i18n import lazy_gettext as _l
from core.jobs import register_kinds
from core.navigation import NavItem, add_nav_item
from reports import cli, jobs, labels, views  # noqa: F401 — jobs registers the periodic tasks
from reports.access import can_view_sheet

PROFILE_SECTION = "reports/_profile_section.html"
HR_AND_ADMIN = (Role.HR, Role.ADMIN)
_REPORTS = _l("Reports")

NAV_ITEMS = (
    NavItem(
        "reports.readiness_view",
        _l("Unit readiness"),
        roles=HR_AND_ADMIN,
        order=600,
        icon="speedometer2",
        group=_REPORTS,
    ),
    NavItem(
        "reports.sheets",
        _l("Assessment sheets"),
        roles=HR_AND_ADMIN,
        order=610,
        icon="file-person",
        group=_REPORTS,
    ),
)


def person_sheet_url(employee_id: int, employee=None) -> str | None:
    """The address of a person's sheet when the viewer may open it, else None (pages link names with it).

    With the employee object the full rule is checked; with only an id (leaderboards, result tables, whose
    rows are already limited to the viewer's scope) the viewer's role is enough."""
    if not current_user.is_authenticated:
        return None
    if employee is not None:
        allowed = can_view_sheet(current_user, employee)
    else:
        allowed = current_user.has_any_role(*HR_AND_ADMIN)
    return url_for("reports.sheet", employee_id=employee_id) if allowed else None


def register(app) -> None:
    """Wire the package into the application: blueprint, job kinds, the profile section, the name-link
    helper, navigation."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    register_kinds(app, labels.JOB_KINDS)
    sections = app.jinja_env.globals.setdefault("profile_sections", [])
    if PROFILE_SECTION not in sections:
        sections.append(PROFILE_SECTION)
    app.jinja_env.globals["person_sheet_url"] = person_sheet_url
    for item in NAV_ITEMS:
        add_nav_item(app, item)
