"""What the closed sets of people and access are called on pages and in exports (lazily translated).
Role names live in ``core.auth.ROLE_LABELS``."""

from __future__ import annotations

from accounts.models import DepartmentKind, EmployeeStatus
from core.i18n import lazy_gettext as _l

EMPLOYEE_STATUS_LABELS = {
    EmployeeStatus.ACTIVE: _l("On post"),
    EmployeeStatus.LEFT: _l("Left"),
}
DEPARTMENT_KIND_LABELS = {
    DepartmentKind.COMPANY: _l("Company"),
    DepartmentKind.BRANCH: _l("Branch company"),
    DepartmentKind.CENTER: _l("Customer service centre"),
    DepartmentKind.STATION: _l("Power supply station"),
    DepartmentKind.TEAM: _l("Team"),
}
