"""What the closed sets of people and access are called on pages and in exports (lazily translated).
Role names live in ``core.auth.ROLE_LABELS``."""

from __future__ import annotations

from accounts.models import DepartmentKind, EmployeeStatus, TextSize
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

EMPLOYEE_STATUS_LABELS = {
    EmployeeStatus.ACTIVE: _l("On post"),
    EmployeeStatus.LEFT: _l("Left"),
    EmployeeStatus.OFF_POST: _l("Temporarily off post"),
}
TEXT_SIZE_LABELS = {
    TextSize.STANDARD: lazy_pgettext("text size", "Standard"),
    TextSize.LARGE: lazy_pgettext("text size", "Large"),
    TextSize.EXTRA_LARGE: lazy_pgettext("text size", "Extra large"),
}
DEPARTMENT_KIND_LABELS = {
    DepartmentKind.COMPANY: _l("Company"),
    DepartmentKind.BRANCH: _l("Branch company"),
    DepartmentKind.CENTER: _l("Customer service centre"),
    DepartmentKind.STATION: _l("Power supply station"),
    DepartmentKind.TEAM: _l("Team"),
}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Department": _l("Department"),
    "Employee": _l("Staff record"),
    "Position": _l("Position"),
    "RoleGrant": _l("Role grant"),
    "User": _l("User account"),
}
AUDIT_ACTIONS = {
    "auth.login": _l("Signed in"),
    "auth.logout": _l("Signed out"),
    "auth.login_failed": _l("Sign-in failed (wrong password)"),
    "auth.login_locked": _l("Sign-in refused: account locked"),
    "auth.login_refused_inactive": _l("Sign-in refused: account disabled"),
    "auth.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by HR"),
    "employee.national_id_unmasked": _l("National ID shown in full"),
    "roster.import": _l("Roster imported"),
    "roster.person_created": _l("Roster import: person added"),
    "roster.person_changed": _l("Roster import: person changed"),
    "roster.person_left": _l("Roster import: person left, account disabled"),
    "accounts.create_admin": _l("Administrator created from the command line"),
    "accounts.remove_demo": _l("Demo people removed"),
}
AUDIT_FIELDS = {
    "Employee.name": _l("Full name"),
    "employee_no": _l("Employee number"),
    "department_id": _l("Department"),
    "position_id": _l("Position"),
    "hire_date": _l("Hire date"),
    "phone": _l("Mobile number"),
    "national_id": _l("ID number"),
    "email": _l("E-mail"),
    "demo": _l("Demo person"),
    "code": _l("Code"),
    "kind": _l("Kind"),
    "parent_id": _l("Parent department"),
    "path": _l("Place in the tree"),
    "depth": _l("Level"),
    "annual_training_hours": _l("Annual training hours"),
    "password_hash": _l("Password"),
    "session_token": _l("Sign-in session"),
    "must_change_password": _l("Must change password"),
    "failed_logins": _l("Failed sign-ins"),
    "locked_until": _l("Locked until"),
    "last_login_at": _l("Last sign-in"),
    "password_changed_at": _l("Password changed at"),
    "locale": _l("Language"),
    "user_id": _l("User account"),
    "role": _l("Role"),
    "changes": _l("Changes"),
}
